package dev.seraphim.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The registry's model files: {@code <store>/<model>/<version>/<file>}. A file is written to a temporary name
 * inside the store while its sha256 is computed, flushed to disk, then renamed into place, so that a reader
 * never sees half a model and a failed upload leaves nothing behind.
 */
public final class ArtifactStore {
    private final Path root;

    public ArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Deletes what uploads cut short (a kill -9 mid-upload) left in .staging; run at start, before any upload.
     * Another server on the same store may be staging at this moment: only files untouched for an hour go.
     */
    public void clearStaging() {
        Path staging = root.resolve(".staging");
        if (!Files.isDirectory(staging)) {
            return;
        }
        java.time.Instant cutOff = java.time.Instant.now().minus(java.time.Duration.ofHours(1));
        try (var files = Files.list(staging)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && Files.getLastModifiedTime(f).toInstant().isBefore(cutOff)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            java.util.logging.Logger.getLogger(ArtifactStore.class.getName()).warning("could not clear " + staging + ": " + e.getMessage());
        }
    }

    public Path root() {
        return root;
    }

    /** A file received but not yet in place. */
    public record Staged(Path file, String sha256, long bytes) {
    }

    /**
     * Copies an upload into {@code .staging}, hashing it on the way. An IOException is the upload's (the client
     * stopped sending); the store's own write failures are {@link java.io.UncheckedIOException}s, a server fault.
     */
    public Staged stage(InputStream in, long limit) throws IOException {
        Path staging = root.resolve(".staging");
        Path tmp;
        OutputStream file;
        try {
            Files.createDirectories(staging);
            tmp = Files.createTempFile(staging, "upload-", ".part");
            file = Files.newOutputStream(tmp);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the model store's .staging cannot be written: " + e.getMessage(), e);
        }
        MessageDigest digest = sha256();
        long total = 0;
        try (OutputStream out = new DigestOutputStream(file, digest)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw new ArtifactTooLargeException(limit);
                }
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("the model store's .staging cannot be written: " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new Staged(tmp, HexFormat.of().formatHex(digest.digest()), total);
    }

    public Staged stage(Path source, long limit) throws IOException {
        try (InputStream in = Files.newInputStream(source)) {
            return stage(in, limit);
        }
    }

    /** Moves a staged file to its place: fsync, atomic rename, fsync of the directory. */
    public ModelVersion.Artifact commit(Staged staged, String model, String version, String fileName) throws IOException {
        Path dir = root.resolve(model).resolve(version).normalize();
        if (!dir.startsWith(root)) {
            throw new InvalidArtifactException("model name or version escapes the model store");
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName);
        try (FileChannel ch = FileChannel.open(staged.file(), StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staged.file(), target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename itself is atomic
        }
        return new ModelVersion.Artifact(root.relativize(target).toString(), staged.sha256(), staged.bytes());
    }

    public void discard(Staged staged) {
        try {
            Files.deleteIfExists(staged.file());
        } catch (IOException ignored) {
            // a leftover in .staging is removed by the next maintenance run
        }
    }

    /** Removes a version's directory; nothing outside the store. */
    public void delete(String relativePath) throws IOException {
        Path file = root.resolve(relativePath).normalize();
        if (!file.startsWith(root)) {
            return;
        }
        Files.deleteIfExists(file);
        Path dir = file.getParent();
        try (var left = Files.list(dir)) {
            if (left.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
