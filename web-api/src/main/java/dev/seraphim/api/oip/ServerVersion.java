package dev.seraphim.api.oip;

/** The server's name and version as the Open Inference Protocol reports them (GET /v2, gRPC ServerMetadata). */
public final class ServerVersion {
    public static final String SERVER = "0.1.0";
    /** The platform of every model: TorchScript run by libtorch. */
    public static final String PLATFORM = "pytorch_torchscript";

    private ServerVersion() {
    }
}
