package dev.seraphim.jobs.maintenance;

import dev.seraphim.backup.BackupSettings;
import dev.seraphim.jobs.backup.PlatformTables;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

/**
 * Steps {@code analyze} and {@code health-report} of {@code maintenance}: ANALYZE of every platform table, then
 * a report (disk, database size, models and their states, the last 24 hours' requests, error rate and latency)
 * stored in {@code maintenance_report} and served by {@code GET /api/v1/jobs/maintenance/report}.
 */
@Named("maintenanceHealthReport")
@Dependent
public class HealthReport extends AbstractBatchlet {
    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Override
    public String process() throws Exception {
        JsonObjectBuilder report = Json.createObjectBuilder().add("created_at", Instant.now().toString())
                .add("execution_id", job.getExecutionId());
        report.add("disk", Json.createObjectBuilder().add("model_store", disk(settings.modelStore())).add("backups", disk(settings.directory())));
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                for (String table : PlatformTables.inDependencyOrder(c)) {
                    s.execute("ANALYZE " + PlatformTables.quote(table));
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT pg_database_size(current_database())"); ResultSet r = s.executeQuery()) {
                r.next();
                report.add("database_bytes", r.getLong(1));
            }
            JsonArrayBuilder models = Json.createArrayBuilder();
            try (PreparedStatement s = c.prepareStatement("SELECT m.name, v.version, v.state, m.default_version = v.version"
                    + " FROM model_version v JOIN registered_model m ON m.id = v.model_id ORDER BY m.name, v.version");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    models.add(Json.createObjectBuilder().add("model", r.getString(1)).add("version", r.getString(2))
                            .add("state", r.getString(3)).add("default", r.getBoolean(4)));
                }
            }
            report.add("models", models);
            try (PreparedStatement s = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE outcome <> 'success'),"
                    + " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_us), 0),"
                    + " coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_us), 0)"
                    + " FROM prediction_audit WHERE received_at > now() - interval '24 hours'");
                 ResultSet r = s.executeQuery()) {
                r.next();
                long requests = r.getLong(1);
                report.add("last_24h", Json.createObjectBuilder().add("requests", requests).add("errors", r.getLong(2))
                        .add("error_rate", requests == 0 ? 0 : (double) r.getLong(2) / requests)
                        .add("latency_p50_ms", r.getDouble(3) / 1000).add("latency_p99_ms", r.getDouble(4) / 1000));
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO maintenance_report (execution_id, report) VALUES (?, ?)")) {
                s.setLong(1, job.getExecutionId());
                s.setString(2, report.build().toString());
                s.executeUpdate();
            }
        }
        StringBuilder summary = new StringBuilder("MAINTENANCE:");
        for (var step : jakarta.batch.runtime.BatchRuntime.getJobOperator().getStepExecutions(job.getExecutionId())) {
            if (step.getExitStatus() != null && step.getExitStatus().contains("=")) {
                summary.append(' ').append(step.getExitStatus());
            }
        }
        job.setExitStatus(summary.append(" REPORTED").toString());
        return "REPORTED";
    }

    private static JsonObjectBuilder disk(Path p) throws java.io.IOException {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add("path", p.toString());
        if (existing != null) {
            var store = Files.getFileStore(existing);
            b.add("free_bytes", store.getUsableSpace()).add("total_bytes", store.getTotalSpace());
        }
        return b;
    }
}
