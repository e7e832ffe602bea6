package dev.seraphim.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A configuration drop-in holding a secret Seraphim generated at first start (the development keystore's password,
 * the Admin Center's): readable by the server's user only from the moment it exists, and moved into place whole, so
 * Liberty's configuration monitor never reads half a file.
 */
public final class ServerDropIn {
    private ServerDropIn() {
    }

    /** A random secret of {@code bytes} random bytes, URL-safe base64 (no characters XML would need escaped). */
    public static String secret(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    public static void write(Path dropIn, String content) throws IOException {
        Files.createDirectories(dropIn.getParent());
        Path tmp = dropIn.resolveSibling(dropIn.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's own permissions apply
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dropIn, StandardCopyOption.ATOMIC_MOVE);
    }
}
