package dev.seraphim.rollout;

import dev.seraphim.inference.engine.EngineSettings;
import dev.seraphim.inference.engine.InferenceEngine;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * This replica's shadow comparisons written to {@code shadow_comparison} every 5 s: the rows compared and agreeing
 * since the last write, per model and shadow version. A rollout's shadow-agreement guard sums them over every
 * replica; a write that fails is carried over to the next.
 */
@Singleton
@Startup
@DependsOn("InferenceEngine")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ShadowComparisonLog {
    private static final Logger LOG = Logger.getLogger(ShadowComparisonLog.class.getName());
    static final long INTERVAL_MILLIS = 5_000;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    InferenceEngine engine;

    @Inject
    EngineSettings settings;

    /** What was written so far, by "model/version": {rows, agreeing}. */
    private final Map<String, long[]> written = new HashMap<>();
    private ScheduledFuture<?> schedule;
    private volatile long lastFailureLogged;

    @PostConstruct
    void start() {
        schedule = scheduler.scheduleWithFixedDelay(this::write, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        write();
    }

    synchronized void write() {
        Map<String, long[]> now = engine.gate().shadowRows();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO shadow_comparison (model_name, shadow_version, server_name, compared_rows, agreeing_rows) VALUES (?, ?, ?, ?, ?)")) {
            int batched = 0;
            for (Map.Entry<String, long[]> e : now.entrySet()) {
                long[] before = written.getOrDefault(e.getKey(), new long[2]);
                long rows = e.getValue()[0] - before[0];
                long agreeing = e.getValue()[1] - before[1];
                if (rows <= 0) {
                    continue;
                }
                int slash = e.getKey().indexOf('/');
                s.setString(1, e.getKey().substring(0, slash));
                s.setString(2, e.getKey().substring(slash + 1));
                s.setString(3, settings.serverName());
                s.setLong(4, rows);
                s.setLong(5, Math.min(rows, Math.max(0, agreeing)));
                s.addBatch();
                batched++;
            }
            if (batched > 0) {
                s.executeBatch();
            }
            written.putAll(now);
        } catch (SQLException | RuntimeException e) {
            long t = System.currentTimeMillis();
            if (t - lastFailureLogged > 60_000) {
                lastFailureLogged = t;
                LOG.warning("shadow comparisons could not be written (" + e.getMessage() + "); they are carried to the next write");
            }
        }
    }
}
