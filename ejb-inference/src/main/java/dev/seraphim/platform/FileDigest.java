package dev.seraphim.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A file's sha256 (hex) and length, read once: what the registry records and the engine verifies before a load. */
public record FileDigest(String sha256, long bytes) {
    public static FileDigest of(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            long n = ((InputStream) in).transferTo(OutputStream.nullOutputStream());
            return new FileDigest(HexFormat.of().formatHex(in.getMessageDigest().digest()), n);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
