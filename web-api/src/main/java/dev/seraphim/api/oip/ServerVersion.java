package dev.seraphim.api.oip;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The server's name and version as the Open Inference Protocol reports them (GET /v2, gRPC ServerMetadata). */
public final class ServerVersion {
    /** The build's version (server-version.properties, filtered by Maven): what a rolling upgrade changes. */
    public static final String SERVER = buildVersion();
    /** The platform of every model: TorchScript run by libtorch. */
    public static final String PLATFORM = "pytorch_torchscript";

    private ServerVersion() {
    }

    private static String buildVersion() {
        try (InputStream in = ServerVersion.class.getResourceAsStream("server-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
