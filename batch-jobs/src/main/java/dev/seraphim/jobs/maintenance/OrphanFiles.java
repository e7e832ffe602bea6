package dev.seraphim.jobs.maintenance;

import dev.seraphim.backup.BackupSettings;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Step {@code orphan-files} of {@code maintenance}: deletes files of the model store that no model version
 * refers to (left by a failed delete or a crash) once they are an hour old, and abandoned uploads in
 * {@code .staging} once they are a day old; what it deletes is logged.
 */
@Named("maintenanceOrphanFiles")
@Dependent
public class OrphanFiles extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(OrphanFiles.class.getName());

    @Inject
    BackupSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        Path store = settings.modelStore();
        if (!Files.isDirectory(store)) {
            return "DELETED=0";
        }
        Set<String> referenced = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT artifact_path FROM model_version");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                referenced.add(r.getString(1).replace('\\', '/'));
            }
        }
        Instant orphanCutoff = Instant.now().minus(Duration.ofHours(1));
        Instant stagingCutoff = Instant.now().minus(Duration.ofDays(1));
        List<Path> files;
        try (Stream<Path> s = Files.walk(store)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        int deleted = 0;
        for (Path f : files) {
            String relative = store.relativize(f).toString().replace('\\', '/');
            Instant modified = Files.getLastModifiedTime(f).toInstant();
            boolean staging = relative.startsWith(".staging/");
            if ((staging && modified.isBefore(stagingCutoff)) || (!staging && !referenced.contains(relative) && modified.isBefore(orphanCutoff))) {
                Files.delete(f);
                LOG.info("maintenance: deleted " + (staging ? "an abandoned upload" : "an orphan model file") + ": " + relative);
                deleted++;
            }
        }
        return "DELETED=" + deleted;
    }
}
