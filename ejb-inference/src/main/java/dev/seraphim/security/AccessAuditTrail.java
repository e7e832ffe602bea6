package dev.seraphim.security;

import dev.seraphim.platform.database.BatchedWriter;
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
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The access audit, written like the prediction audit (a {@link BatchedWriter}): a bounded buffer of 10 000
 * events drained to PostgreSQL every second, kept and retried while the database fails; an event that finds the
 * buffer full (a flood of bad keys during a database outage) is counted in seraphim_access_audit_dropped_total.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class AccessAuditTrail {
    private static final Logger LOG = Logger.getLogger(AccessAuditTrail.class.getName());
    private static final long SHUTDOWN_FLUSH_MILLIS = 5_000;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    MetricRegistry metrics;

    @Inject
    dev.seraphim.platform.ServerIdentity identity;

    private BatchedWriter<AccessEvent> writer;
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private Counter dropped;
    private ScheduledFuture<?> schedule;

    @PostConstruct
    void start() {
        String serverName = identity.name();
        writer = new BatchedWriter<>("access audit events", "seraphim_access_audit_dropped_total", dataSource,
                new BatchedWriter.Rows<>() {
                    @Override
                    public String insertSql() {
                        return "INSERT INTO access_audit (at, request_id, key_id, client_address, method, path,"
                                + " http_status, event, server_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
                    }

                    @Override
                    public void bind(PreparedStatement s, AccessEvent e) throws SQLException {
                        s.setTimestamp(1, Timestamp.from(e.at()));
                        s.setString(2, e.requestId());
                        s.setString(3, e.keyId());
                        s.setString(4, e.clientAddress());
                        s.setString(5, e.method());
                        s.setString(6, e.path());
                        s.setInt(7, e.httpStatus());
                        s.setString(8, e.event());
                        s.setString(9, serverName);
                    }
                }, 10_000, 500, 1_000, 5_000, LOG);
        dropped = metrics.counter(Metadata.builder().withName("seraphim_access_audit_dropped")
                .withDescription("Access audit events dropped because the buffer was full").build());
        schedule = scheduler.scheduleWithFixedDelay(writer::writePending, 1, 1, TimeUnit.SECONDS);
    }

    public void record(AccessEvent e) {
        events.computeIfAbsent(e.event(), kind -> metrics.counter(Metadata.builder().withName("seraphim_access_events")
                .withDescription("Access audit events by kind (authentication_failed, unauthenticated, forbidden, rate_limited, management)").build(),
                new Tag("event", kind))).inc();
        if (!writer.offer(e)) {
            dropped.inc();
        }
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        if (!writer.flush(SHUTDOWN_FLUSH_MILLIS, run -> { })) {
            long lost = writer.discard();
            dropped.inc(lost);
            LOG.severe(lost + " access audit events could not be written before shutdown");
        }
    }

    /** The latest events, newest first (for GET /api/v1/audit/access). */
    public List<AccessEvent> latest(String keyId, String event, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT at, request_id, key_id, client_address, method, path, http_status, event"
                + " FROM access_audit WHERE true");
        List<String> args = new ArrayList<>();
        if (keyId != null) {
            sql.append(" AND key_id = ?");
            args.add(keyId);
        }
        if (event != null) {
            sql.append(" AND event = ?");
            args.add(event);
        }
        sql.append(" ORDER BY at DESC, id DESC LIMIT ").append(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setString(i + 1, args.get(i));
            }
            List<AccessEvent> out = new ArrayList<>();
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new AccessEvent(r.getTimestamp(1).toInstant(), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getInt(7), r.getString(8)));
                }
            }
            return out;
        }
    }
}
