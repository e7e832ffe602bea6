package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Step {@code manifest} of {@code backup}: hashes every file the earlier steps wrote, writes
 * {@code manifest.json} last (flushed to disk), then renames the directory from {@code .partial} to its final
 * name in one step. A backup that failed before this point (disk full, server killed) never looks complete.
 */
@Named("backupManifest")
@Dependent
public class ManifestWriter extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(ManifestWriter.class.getName());

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Override
    public String process() throws Exception {
        Path dir = BackupFolders.partialFor(settings.directory(), job.getInstanceId());
        JsonObject summary;
        try (JsonReader r = Json.createReader(new StringReader(Files.readString(dir.resolve(TableDump.TABLES_FILE), StandardCharsets.UTF_8)))) {
            summary = r.readObject();
        }
        List<BackupManifest.Table> tables = new ArrayList<>();
        for (JsonValue v : summary.getJsonArray("tables")) {
            JsonObject t = v.asJsonObject();
            tables.add(new BackupManifest.Table(t.getString("name"), t.getJsonNumber("rows").longValue(), t.getString("sha256")));
        }
        List<BackupManifest.FileEntry> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String relative = dir.relativize(p).toString().replace('\\', '/');
                if (!relative.equals(BackupManifest.FILE)) {
                    files.add(new BackupManifest.FileEntry(relative, Files.size(p), dev.seraphim.registry.ArtifactStore.sha256(p)));
                }
            }
        }
        BackupManifest manifest = new BackupManifest(1, Instant.now().toString(), summary.getString("schema_version"),
                job.getExecutionId(), tables, files);
        Path tmp = dir.resolve(BackupManifest.FILE + ".tmp");
        Files.writeString(tmp, manifest.toJson(), StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(BackupManifest.FILE), StandardCopyOption.ATOMIC_MOVE);
        Path done = Files.move(dir, BackupFolders.completed(dir), StandardCopyOption.ATOMIC_MOVE);
        long bytes = files.stream().mapToLong(BackupManifest.FileEntry::bytes).sum();
        LOG.info("backup " + done.getFileName() + " complete: " + tables.size() + " tables, " + files.size() + " files, " + bytes + " bytes");
        job.setExitStatus("BACKUP=" + done.getFileName());
        return "BACKUP=" + done.getFileName();
    }
}
