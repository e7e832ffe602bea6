package dev.seraphim.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Backup directories: {@code seraphim-<UTC yyyyMMdd-HHmmss>-i<job instance>}, with the suffix {@code .partial}
 * until the manifest is written and the directory renamed in one step. A restarted backup (same job instance)
 * finds its partial directory again and continues in it.
 */
public final class BackupFolders {
    public static final String PARTIAL = ".partial";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private BackupFolders() {
    }

    public static Path partialFor(Path root, long instanceId) throws IOException {
        Files.createDirectories(root);
        String suffix = "-i" + instanceId + PARTIAL;
        try (Stream<Path> s = Files.list(root)) {
            Optional<Path> existing = s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        Path p = root.resolve("seraphim-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + suffix);
        return Files.createDirectories(p);
    }

    public static Path completed(Path partial) {
        String name = partial.getFileName().toString();
        return partial.resolveSibling(name.substring(0, name.length() - PARTIAL.length()));
    }

    /** Completed backups (with a manifest), newest first. */
    public static List<Path> completedBackups(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seraphim-") && !p.getFileName().toString().endsWith(PARTIAL)
                            && Files.exists(p.resolve(BackupManifest.FILE)))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
    }

    /** A named backup under the root; the name may not leave it. */
    public static Path named(Path root, String name) {
        if (!name.matches("seraphim-[0-9]{8}-[0-9]{6}-i[0-9]+")) {
            throw new IllegalArgumentException("'" + name + "' is not a backup name (seraphim-yyyyMMdd-HHmmss-i<n>)");
        }
        return root.resolve(name);
    }

    /** The model store's files as store-relative paths with '/', uploads in progress ({@code .staging}) left out. */
    public static List<String> modelStoreFiles(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(store)) {
            return s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith(".staging/")).sorted().toList();
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
