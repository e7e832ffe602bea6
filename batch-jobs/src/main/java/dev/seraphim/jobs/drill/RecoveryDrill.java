package dev.seraphim.jobs.drill;

import dev.seraphim.jobs.JobParameters;
import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import dev.seraphim.jobs.backup.PlatformTables;
import dev.seraphim.jobs.restore.RestoreSource;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * The runbook's monthly recovery drill, automated: takes a backup (the {@code backup} parameter, else the
 * newest), verifies every file's checksum, restores its tables into a scratch schema of the same database,
 * reads them back and compares rows and SHA-256 with the manifest, compares row counts with the live tables
 * (reported, not judged: live data moves on), and drops the scratch schema whatever happens. Pass or fail is
 * the job's exit status and {@code seraphim_recovery_drill_last_result}.
 */
@Named("recoveryDrill")
@Dependent
public class RecoveryDrill extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(RecoveryDrill.class.getName());

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Inject
    DrillResults results;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        String name = JobParameters.text(JobParameters.of(job), "backup");
        try {
            String report = drill(name);
            results.passed();
            job.setExitStatus("DRILL PASSED: " + report);
            LOG.info("recovery drill passed: " + report);
            return "PASSED";
        } catch (Exception e) {
            results.failed();
            throw e;
        }
    }

    private String drill(String name) throws Exception {
        Path backup;
        if (name != null) {
            backup = BackupFolders.named(settings.directory(), name);
        } else {
            List<Path> all = BackupFolders.completedBackups(settings.directory());
            if (all.isEmpty()) {
                throw new IOException("there is no complete backup in the backup directory to drill with");
            }
            backup = all.get(0);
        }
        RestoreSource source = RestoreSource.at(backup);
        source.verify();
        String scratch = "drill_" + job.getExecutionId();
        List<String> liveDifferences = new ArrayList<>();
        long rows = 0;
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + PlatformTables.quote(scratch) + " CASCADE");
                s.execute("CREATE SCHEMA " + PlatformTables.quote(scratch));
            }
            try {
                for (BackupManifest.Table t : source.manifest().tables()) {
                    String table = PlatformTables.quote(t.name());
                    try (Statement s = c.createStatement()) {
                        // constraints and indexes, but no foreign keys: each table is checked on its own
                        s.execute("CREATE TABLE " + PlatformTables.quote(scratch) + "." + table + " (LIKE public." + table
                                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
                    }
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(backup.resolve("tables/" + t.name() + ".copy.gz")), 1 << 16)) {
                        PlatformTables.copyIn(c, scratch, t.name(), in);
                    }
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    long restored;
                    try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
                        restored = PlatformTables.copyOut(c, scratch, t.name(), out);
                    }
                    if (restored != t.rows() || !HexFormat.of().formatHex(sha.digest()).equals(t.sha256())) {
                        throw new IllegalStateException("table " + t.name() + " restored from " + backup.getFileName() + " has "
                                + restored + " rows that differ from the manifest's " + t.rows());
                    }
                    rows += restored;
                    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM public." + table); ResultSet r = s.executeQuery()) {
                        r.next();
                        if (r.getLong(1) != t.rows()) {
                            liveDifferences.add(t.name() + " " + t.rows() + "->" + r.getLong(1));
                        }
                    }
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + PlatformTables.quote(scratch) + " CASCADE");
                }
            }
        }
        return "backup " + backup.getFileName() + ": " + source.manifest().files().size() + " files and "
                + source.manifest().tables().size() + " tables (" + rows + " rows) restored and verified in a scratch schema; live since: "
                + (liveDifferences.isEmpty() ? "unchanged" : String.join(", ", liveDifferences));
    }
}
