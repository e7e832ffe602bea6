package dev.seraphim.drift;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import javax.sql.DataSource;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The drift tables (migration V8): references, per-minute histograms and drift reports, through plain JDBC. */
@ApplicationScoped
public class DriftStore {
    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    public record VersionKey(String model, String version) {
    }

    /** Stores the reference unless another server stored one first; either way the stored one is returned. */
    public Reference storeReference(String model, String version, Reference reference, String server) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO drift_reference (model_name, model_version, feature,"
                    + " edges, counts, row_count, server_name) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (Reference.Feature f : reference.features()) {
                    s.setString(1, model);
                    s.setString(2, version);
                    s.setString(3, f.name());
                    s.setArray(4, c.createArrayOf("float8", boxed(f.edges())));
                    s.setArray(5, c.createArrayOf("int8", boxed(f.counts())));
                    s.setLong(6, reference.rows());
                    s.setString(7, server);
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return reference(model, version).orElseThrow(() -> new SQLException("the reference of " + model + " " + version + " was not stored"));
    }

    public Optional<Reference> reference(String model, String version) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT feature, edges, counts,"
                + " row_count FROM drift_reference WHERE model_name = ? AND model_version = ? ORDER BY feature")) {
            s.setString(1, model);
            s.setString(2, version);
            List<Reference.Feature> features = new ArrayList<>();
            long rows = 0;
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    features.add(new Reference.Feature(r.getString(1), doubles(r.getArray(2)), longs(r.getArray(3))));
                    rows = r.getLong(4);
                }
            }
            return features.isEmpty() ? Optional.empty() : Optional.of(new Reference(rows, features));
        }
    }

    public List<VersionKey> referencedVersions() throws SQLException {
        List<VersionKey> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT DISTINCT model_name,"
                + " model_version FROM drift_reference ORDER BY model_name, model_version"); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                keys.add(new VersionKey(r.getString(1), r.getString(2)));
            }
        }
        return keys;
    }

    /** Adds one server's counts to each minute's shared histogram, element by element, in one transaction. */
    public void addCounts(String model, String version, List<String> features, Map<Instant, long[][]> minutes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO input_histogram (model_name, model_version, window_start,"
                    + " feature, counts) VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_name, model_version, window_start, feature)"
                    + " DO UPDATE SET counts = (SELECT array_agg(COALESCE(a, 0) + COALESCE(b, 0) ORDER BY n)"
                    + " FROM unnest(input_histogram.counts, EXCLUDED.counts) WITH ORDINALITY AS t(a, b, n))")) {
                for (Map.Entry<Instant, long[][]> minute : minutes.entrySet()) {
                    for (int f = 0; f < features.size(); f++) {
                        s.setString(1, model);
                        s.setString(2, version);
                        s.setTimestamp(3, Timestamp.from(minute.getKey()));
                        s.setString(4, features.get(f));
                        s.setArray(5, c.createArrayOf("int8", boxed(minute.getValue()[f])));
                        s.addBatch();
                    }
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Every feature's counts summed over the minutes in [from, to). */
    public Map<String, long[]> window(String model, String version, Instant from, Instant to) throws SQLException {
        Map<String, long[]> sums = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT feature, counts FROM"
                + " input_histogram WHERE model_name = ? AND model_version = ? AND window_start >= ? AND window_start < ?"
                + " ORDER BY feature")) {
            s.setString(1, model);
            s.setString(2, version);
            s.setTimestamp(3, Timestamp.from(from));
            s.setTimestamp(4, Timestamp.from(to));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long[] counts = longs(r.getArray(2));
                    long[] sum = sums.computeIfAbsent(r.getString(1), f -> new long[counts.length]);
                    for (int i = 0; i < Math.min(sum.length, counts.length); i++) {
                        sum[i] += counts[i];
                    }
                }
            }
        }
        return sums;
    }

    public int purgeHistograms(Instant before) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM input_histogram WHERE window_start < ?")) {
            s.setTimestamp(1, Timestamp.from(before));
            return s.executeUpdate();
        }
    }

    public long save(DriftReport r) throws SQLException {
        JsonObjectBuilder features = Json.createObjectBuilder();
        r.featurePsi().forEach(features::add);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO drift_report"
                + " (model_name, model_version, window_start, window_end, window_rows, reference_rows, max_psi, threshold,"
                + " drifted, features, execution_id, retrain_execution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            s.setString(1, r.model());
            s.setString(2, r.version());
            s.setObject(3, r.windowStart());
            s.setObject(4, r.windowEnd());
            s.setLong(5, r.windowRows());
            s.setLong(6, r.referenceRows());
            s.setDouble(7, r.maxPsi());
            s.setDouble(8, r.threshold());
            s.setBoolean(9, r.drifted());
            s.setString(10, features.build().toString());
            s.setObject(11, r.executionId(), Types.BIGINT);
            s.setObject(12, r.retrainExecutionId(), Types.BIGINT);
            try (ResultSet k = s.executeQuery()) {
                k.next();
                return k.getLong(1);
            }
        }
    }

    public void retrainStarted(long reportId, long executionId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE drift_report SET retrain_execution_id = ? WHERE id = ?")) {
            s.setLong(1, executionId);
            s.setLong(2, reportId);
            s.executeUpdate();
        }
    }

    /** The latest report of every model version, or of one model's versions. */
    public List<DriftReport> latest(Optional<String> model) throws SQLException {
        return query("SELECT DISTINCT ON (model_name, model_version) * FROM drift_report"
                + (model.isPresent() ? " WHERE model_name = ?" : "") + " ORDER BY model_name, model_version, checked_at DESC, id DESC",
                model.map(List::of).orElse(List.of()));
    }

    public List<DriftReport> history(String model, int limit) throws SQLException {
        return query("SELECT * FROM drift_report WHERE model_name = ? ORDER BY checked_at DESC, id DESC LIMIT " + limit, List.of(model));
    }

    private List<DriftReport> query(String sql, List<String> args) throws SQLException {
        List<DriftReport> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                s.setString(i + 1, args.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Map<String, Double> psi = new LinkedHashMap<>();
                    try (var reader = Json.createReader(new StringReader(r.getString("features")))) {
                        JsonObject o = reader.readObject();
                        o.forEach((k, v) -> psi.put(k, ((JsonNumber) v).doubleValue()));
                    }
                    out.add(new DriftReport(r.getLong("id"), r.getObject("checked_at", OffsetDateTime.class), r.getString("model_name"),
                            r.getString("model_version"), r.getObject("window_start", OffsetDateTime.class),
                            r.getObject("window_end", OffsetDateTime.class), r.getLong("window_rows"), r.getLong("reference_rows"),
                            r.getDouble("max_psi"), r.getDouble("threshold"), r.getBoolean("drifted"), psi,
                            (Long) r.getObject("execution_id"), (Long) r.getObject("retrain_execution_id")));
                }
            }
        }
        return out;
    }

    private static Double[] boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Double[]::new);
    }

    private static Long[] boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Long[]::new);
    }

    private static double[] doubles(Array a) throws SQLException {
        Object[] values = (Object[]) a.getArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).doubleValue();
        }
        return out;
    }

    private static long[] longs(Array a) throws SQLException {
        Object[] values = (Object[]) a.getArray();
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).longValue();
        }
        return out;
    }
}
