package dev.seraphim.jobs.maintenance;

import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Step {@code purge-audit} of {@code maintenance}: deletes prediction and access audit rows older than
 * {@code auditRetentionDays}, 5 000 rows per transaction, so that the audit writers and inference never wait long
 * behind it; a stop request is honoured between chunks.
 */
@Named("maintenanceAuditPurge")
@Dependent
public class AuditPurge extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(AuditPurge.class.getName());
    private static final int CHUNK = 5000;

    @Inject
    JobContext job;

    @Inject
    StepContext step;

    @Inject
    MaintenanceSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    private volatile boolean stopping;

    @Override
    public String process() throws Exception {
        Instant cutoff = Instant.now().minus(Duration.ofDays(settings.auditRetentionDays(job)));
        long predictions = purge("prediction_audit", "received_at", cutoff);
        long access = purge("access_audit", "at", cutoff);
        // shadow comparisons only ever judge a running rollout's step: a week is plenty
        Instant weekAgo = Instant.now().minus(Duration.ofDays(7));
        long shadows = purge("shadow_comparison", "recorded_at", weekAgo);
        LOG.info("maintenance: purged " + predictions + " prediction audit rows and " + access + " access audit rows before " + cutoff
                + ", " + shadows + " shadow comparison rows before " + weekAgo);
        step.setPersistentUserData(predictions + access);
        return "PURGED=" + (predictions + access);
    }

    private long purge(String table, String column, Instant cutoff) throws Exception {
        long total = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table
                     + " WHERE " + column + " < ? LIMIT " + CHUNK + ")")) {
            s.setTimestamp(1, Timestamp.from(cutoff));
            int n;
            do {
                n = s.executeUpdate();
                total += n;
            } while (n == CHUNK && !stopping);
        }
        return total;
    }

    @Override
    public void stop() {
        stopping = true;
    }
}
