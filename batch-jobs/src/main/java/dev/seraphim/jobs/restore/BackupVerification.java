package dev.seraphim.jobs.restore;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import dev.seraphim.jobs.backup.PlatformTables;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step {@code verify} of {@code restore}: refuses a partial or tampered backup, or one of another schema
 * version, before anything is touched. With {@code dryRun=true} it reports what a restore would change (rows
 * per table, model files added, replaced, removed) in the exit status and ends the job.
 */
@Named("restoreVerify")
@Dependent
public class BackupVerification extends AbstractBatchlet {
    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        RestoreSource source = RestoreSource.of(job, settings);
        source.verify();
        List<String> changes = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            String live = PlatformTables.schemaVersion(c);
            if (!live.equals(source.manifest().schemaVersion())) {
                throw new IOException("backup " + source.directory().getFileName() + " is of schema version "
                        + source.manifest().schemaVersion() + " but this database is at " + live + "; restore it with the matching release");
            }
            if (!source.dryRun()) {
                return "VERIFIED";
            }
            for (BackupManifest.Table t : source.manifest().tables()) {
                long rows;
                try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM \"" + t.name() + "\"");
                     ResultSet r = s.executeQuery()) {
                    r.next();
                    rows = r.getLong(1);
                }
                if (rows != t.rows()) {
                    changes.add(t.name() + " " + rows + "->" + t.rows() + " rows");
                }
            }
        }
        Map<String, String> inBackup = new TreeMap<>();
        source.manifest().files().stream().filter(f -> f.path().startsWith("models/"))
                .forEach(f -> inBackup.put(f.path().substring("models/".length()), f.sha256()));
        Map<String, String> inStore = new TreeMap<>();
        Path store = settings.modelStore();
        for (String relative : BackupFolders.modelStoreFiles(store)) {
            inStore.put(relative, dev.seraphim.registry.ArtifactStore.sha256(store.resolve(relative)));
        }
        long added = inBackup.keySet().stream().filter(k -> !inStore.containsKey(k)).count();
        long removed = inStore.keySet().stream().filter(k -> !inBackup.containsKey(k)).count();
        long replaced = inBackup.entrySet().stream().filter(e -> inStore.containsKey(e.getKey()) && !inStore.get(e.getKey()).equals(e.getValue())).count();
        String report = "DRY_RUN: backup verified; tables: " + (changes.isEmpty() ? "unchanged" : String.join(", ", changes))
                + "; model files: " + added + " added, " + replaced + " replaced, " + removed + " removed";
        job.setExitStatus(report.length() > 480 ? report.substring(0, 477) + "..." : report);
        return "DRY_RUN";
    }
}
