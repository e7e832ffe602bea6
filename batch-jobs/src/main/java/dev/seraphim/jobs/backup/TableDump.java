package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupSettings;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;

import javax.sql.DataSource;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;

/**
 * Step {@code tables} of {@code backup}: every platform table, COPYed in primary-key order inside one
 * REPEATABLE READ, read-only transaction (one consistent snapshot, no lock that stops inference or the audit
 * writers), gzip-compressed; rows and the SHA-256 of each table's COPY text go to {@code tables.json} for the
 * manifest.
 */
@Named("backupTables")
@Dependent
public class TableDump extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(TableDump.class.getName());
    static final String TABLES_FILE = "tables.json";

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        Path dir = BackupFolders.partialFor(settings.directory(), job.getInstanceId());
        Path tables = Files.createDirectories(dir.resolve("tables"));
        JsonArrayBuilder summary = Json.createArrayBuilder();
        String schema;
        int count = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                schema = PlatformTables.schemaVersion(c);
                List<String> order = PlatformTables.inDependencyOrder(c);
                for (String table : order) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    long rows;
                    try (OutputStream file = Files.newOutputStream(tables.resolve(table + ".copy.gz"));
                         GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
                         DigestOutputStream out = new DigestOutputStream(gz, sha)) {
                        rows = PlatformTables.copyOut(c, table, out);
                    }
                    summary.add(Json.createObjectBuilder().add("name", table).add("rows", rows)
                            .add("sha256", HexFormat.of().formatHex(sha.digest())));
                    count++;
                }
                c.commit();
            } catch (Exception e) {
                throw PlatformTables.abandon(c, e);
            }
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
        Files.writeString(dir.resolve(TABLES_FILE), Json.createObjectBuilder().add("schema_version", schema)
                .add("tables", summary).build().toString(), StandardCharsets.UTF_8);
        LOG.info("backup " + dir.getFileName() + ": " + count + " tables copied");
        return "TABLES=" + count;
    }
}
