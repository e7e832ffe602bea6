package dev.seraphim.audit;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the prediction audit trail back, newest first, a page at a time (keyset paging: no OFFSET scans). */
@ApplicationScoped
public class PredictionAuditSearch {
    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    public AuditPage find(AuditQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, received_at, request_id, api, model_name, model_version, key_hash,"
                + " client_address, outcome, http_status, latency_us, queue_us, compute_us, batch_rows, input_sha256,"
                + " output_sha256, input_sample, output_sample, server_name FROM prediction_audit WHERE true");
        List<Object> args = new ArrayList<>();
        q.model().ifPresent(v -> add(sql, args, " AND model_name = ?", v));
        q.version().ifPresent(v -> add(sql, args, " AND model_version = ?", v));
        q.outcome().ifPresent(v -> add(sql, args, " AND outcome = ?", v));
        q.requestId().ifPresent(v -> add(sql, args, " AND request_id = ?", v));
        q.from().ifPresent(v -> add(sql, args, " AND received_at >= ?", Timestamp.from(v)));
        q.to().ifPresent(v -> add(sql, args, " AND received_at < ?", Timestamp.from(v)));
        q.after().ifPresent(c -> {
            Timestamp at = Timestamp.from(Instant.EPOCH.plus(c.receivedMicros(), ChronoUnit.MICROS));
            sql.append(" AND (received_at, id) < (?, ?)");
            args.add(at);
            args.add(c.id());
        });
        sql.append(" ORDER BY received_at DESC, id DESC LIMIT ?");
        args.add(q.limit() + 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            s.setQueryTimeout(30);
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<AuditPage.StoredPrediction> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new AuditPage.StoredPrediction(r.getLong("id"), read(r)));
                }
            }
            Optional<AuditQuery.Cursor> next = Optional.empty();
            if (rows.size() > q.limit()) {
                rows.remove(rows.size() - 1);
                AuditPage.StoredPrediction last = rows.get(rows.size() - 1);
                next = Optional.of(new AuditQuery.Cursor(ChronoUnit.MICROS.between(Instant.EPOCH, last.record().receivedAt()), last.id()));
            }
            return new AuditPage(rows, next);
        }
    }

    private static void add(StringBuilder sql, List<Object> args, String clause, Object value) {
        sql.append(clause);
        args.add(value);
    }

    private static PredictionRecord read(ResultSet r) throws SQLException {
        return new PredictionRecord(r.getTimestamp("received_at").toInstant(), r.getString("request_id"), r.getString("api"),
                r.getString("model_name"), r.getString("model_version"), r.getString("key_hash"), r.getString("client_address"),
                r.getString("outcome"), r.getInt("http_status"), r.getLong("latency_us"), (Long) r.getObject("queue_us"),
                (Long) r.getObject("compute_us"), (Integer) r.getObject("batch_rows"), r.getString("input_sha256"),
                r.getString("output_sha256"), r.getString("input_sample"), r.getString("output_sample"), r.getString("server_name"));
    }
}
