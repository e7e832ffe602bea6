package dev.seraphim.jobs.maintenance;

import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Step {@code purge-job-history} of {@code maintenance}: removes job instances from Liberty's job repository
 * (schema {@code batch}) whose executions have all ended (STOPPED, FAILED, COMPLETED, ABANDONED) and that were
 * last updated more than {@code jobRetentionDays} ago, with everything that refers to them. The repository's
 * tables have plain foreign keys, so the rows go child first, 500 instances per transaction. Liberty's batch
 * REST API can purge too, but only for the console's administrator; the job has no such identity.
 */
@Named("maintenanceJobHistoryPurge")
@Dependent
public class JobHistoryPurge extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(JobHistoryPurge.class.getName());
    private static final int CHUNK = 500;
    /** BatchStatus ordinals as Liberty stores them: STOPPED 3, FAILED 4, COMPLETED 5, ABANDONED 6. */
    private static final String ENDED = "(3, 4, 5, 6)";
    private static final String EXECUTIONS = "(SELECT jobexecid FROM batch.jobexecution WHERE fk_jobinstanceid = ANY(?))";
    private static final List<String> DELETES = List.of(
            "DELETE FROM batch.remotablepartition WHERE fk_jobexecutionid IN " + EXECUTIONS,
            "DELETE FROM batch.jobparameter WHERE fk_jobexecid IN " + EXECUTIONS,
            "DELETE FROM batch.stepthreadinstance WHERE fk_jobinstanceid = ANY(?)",
            "DELETE FROM batch.stepthreadexecution WHERE fk_jobexecid IN " + EXECUTIONS,
            "DELETE FROM batch.jobexecution WHERE fk_jobinstanceid = ANY(?)",
            "DELETE FROM batch.groupassociation WHERE fk_jobinstanceid = ANY(?)",
            "DELETE FROM batch.jobinstance WHERE jobinstanceid = ANY(?)");

    @Inject
    JobContext job;

    @Inject
    MaintenanceSettings settings;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    private volatile boolean stopping;

    @Override
    public String process() throws Exception {
        // Liberty writes these timestamps without a zone, in the server's local time
        Timestamp cutoff = Timestamp.valueOf(LocalDateTime.now().minusDays(settings.jobRetentionDays(job)));
        long purged = 0;
        while (!stopping) {
            int n = purgeChunk(cutoff);
            purged += n;
            if (n < CHUNK) {
                break;
            }
        }
        LOG.info("maintenance: purged " + purged + " job instances last updated before " + cutoff);
        return "JOBS_PURGED=" + purged;
    }

    private int purgeChunk(Timestamp cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT i.jobinstanceid FROM batch.jobinstance i WHERE i.batchstatus IN "
                        + ENDED + " AND COALESCE(i.updatetime, i.createtime) < ? AND i.jobinstanceid <> ? AND NOT EXISTS (SELECT 1"
                        + " FROM batch.jobexecution e WHERE e.fk_jobinstanceid = i.jobinstanceid AND e.batchstatus NOT IN " + ENDED + ")"
                        + " ORDER BY i.jobinstanceid LIMIT " + CHUNK + " FOR UPDATE SKIP LOCKED")) {
                    s.setTimestamp(1, cutoff);
                    s.setLong(2, job.getInstanceId());
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            ids.add(r.getLong(1));
                        }
                    }
                }
                if (!ids.isEmpty()) {
                    Array array = c.createArrayOf("int8", ids.toArray());
                    for (String sql : DELETES) {
                        try (PreparedStatement s = c.prepareStatement(sql)) {
                            s.setArray(1, array);
                            s.executeUpdate();
                        }
                    }
                }
                c.commit();
                return ids.size();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    @Override
    public void stop() {
        stopping = true;
    }
}
