package dev.seraphim.jobs.restore;

import dev.seraphim.jobs.JobParameters;
import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.context.JobContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/** The backup a restore (or drill) reads: named by the job's {@code backup} parameter, verified before use. */
public record RestoreSource(Path directory, BackupManifest manifest, boolean dryRun) {

    public static RestoreSource at(Path directory) throws IOException {
        return new RestoreSource(directory, BackupManifest.read(directory), false);
    }

    static RestoreSource of(JobContext job, BackupSettings settings) throws IOException {
        Properties p = JobParameters.of(job);
        String name = JobParameters.text(p, "backup");
        if (name == null) {
            throw new IllegalArgumentException("parameter 'backup' names the backup to restore");
        }
        Path dir = BackupFolders.named(settings.directory(), name);
        if (!Files.isDirectory(dir)) {
            throw new IOException("no backup named " + name + " in the backup directory");
        }
        return new RestoreSource(dir, BackupManifest.read(dir), JobParameters.bool(p, "dryRun"));
    }

    /** Every file the manifest lists is present with its size and SHA-256, and no other file is there. */
    public void verify() throws IOException {
        Set<String> listed = new HashSet<>();
        for (BackupManifest.FileEntry f : manifest.files()) {
            Path file = directory.resolve(f.path()).normalize();
            if (!file.startsWith(directory) || !Files.isRegularFile(file)) {
                throw new IOException("backup " + directory.getFileName() + " is incomplete: " + f.path() + " is missing");
            }
            if (Files.size(file) != f.bytes() || !dev.seraphim.registry.ArtifactStore.sha256(file).equals(f.sha256())) {
                throw new IOException("backup " + directory.getFileName() + " is damaged or tampered: " + f.path()
                        + " does not match its SHA-256 in the manifest");
            }
            listed.add(f.path());
        }
        try (Stream<Path> s = Files.walk(directory)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String relative = directory.relativize(p).toString().replace('\\', '/');
                if (!relative.equals(BackupManifest.FILE) && !listed.contains(relative)) {
                    throw new IOException("backup " + directory.getFileName() + " holds a file its manifest does not list: " + relative);
                }
            }
        }
    }
}
