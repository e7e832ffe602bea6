package dev.seraphim.jobs.restore;

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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Step {@code tables} of {@code restore}: in one transaction, empties every platform table, loads the
 * backup's rows parents first, moves the sequences past them, and before committing reads every table back
 * and compares it with the manifest's SHA-256; any difference rolls everything back. Nothing is half restored.
 */
@Named("restoreTables")
@Dependent
public class TableRestore extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(TableRestore.class.getName());

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        RestoreSource source = RestoreSource.of(job, settings);
        Map<String, BackupManifest.Table> expected = source.manifest().tables().stream()
                .collect(Collectors.toMap(BackupManifest.Table::name, Function.identity()));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<String> order = PlatformTables.inDependencyOrder(c);
                if (!expected.keySet().equals(new java.util.HashSet<>(order))) {
                    throw new IllegalStateException("the backup's tables " + expected.keySet() + " are not this database's " + order);
                }
                try (Statement s = c.createStatement()) {
                    s.execute("TRUNCATE " + order.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")));
                }
                for (String table : order) {
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(source.directory().resolve("tables/" + table + ".copy.gz")), 1 << 16)) {
                        PlatformTables.copyIn(c, table, in);
                    }
                    PlatformTables.resetSequences(c, table);
                }
                for (String table : order) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    long rows;
                    try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
                        rows = PlatformTables.copyOut(c, table, out);
                    }
                    BackupManifest.Table t = expected.get(table);
                    String got = HexFormat.of().formatHex(sha.digest());
                    if (rows != t.rows() || !got.equals(t.sha256())) {
                        throw new IllegalStateException("table " + table + " read back " + rows + " rows that differ from the backup's "
                                + t.rows() + "; nothing was restored");
                    }
                }
                c.commit();
            } catch (Exception e) {
                throw PlatformTables.abandon(c, e);
            }
            c.setAutoCommit(true);
        }
        LOG.info("restore from " + source.directory().getFileName() + ": " + expected.size() + " tables restored and verified");
        return "TABLES=" + expected.size();
    }
}
