package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import dev.seraphim.jobs.JobParameters;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Step {@code retention} of {@code backup}: keeps the newest {@code keep} complete backups and, of those,
 * drops any older than {@code maxAgeDays} (the newest is always kept); removes partial directories left by
 * failed backups more than a day old. What was removed is in the job's exit status and the log.
 */
@Named("backupRetention")
@Dependent
public class Retention extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Override
    public String process() throws Exception {
        Properties p = JobParameters.of(job);
        int keep = Math.max(1, JobParameters.integer(p, "keep", settings.keep()));
        int maxAgeDays = JobParameters.integer(p, "maxAgeDays", settings.maxAgeDays());
        Path root = settings.directory();
        List<Path> backups = BackupFolders.completedBackups(root);
        List<String> removed = new ArrayList<>();
        Instant cutoff = Instant.now().minus(Duration.ofDays(maxAgeDays));
        for (int i = 1; i < backups.size(); i++) {
            Path b = backups.get(i);
            if (i >= keep || Files.getLastModifiedTime(b.resolve(BackupManifest.FILE)).toInstant().isBefore(cutoff)) {
                BackupFolders.deleteTree(b);
                removed.add(b.getFileName().toString());
            }
        }
        Instant staleCutoff = Instant.now().minus(Duration.ofDays(1));
        try (Stream<Path> s = Files.list(root)) {
            for (Path partial : s.filter(x -> x.getFileName().toString().endsWith(BackupFolders.PARTIAL)).toList()) {
                if (Files.getLastModifiedTime(partial).toInstant().isBefore(staleCutoff)) {
                    BackupFolders.deleteTree(partial);
                    removed.add(partial.getFileName().toString());
                }
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("backup retention (keep " + keep + ", max age " + maxAgeDays + " days) removed " + removed);
        }
        String exit = job.getExitStatus() == null ? "" : job.getExitStatus() + " ";
        job.setExitStatus(exit + "REMOVED=" + removed.size());
        return "REMOVED=" + removed.size();
    }
}
