package dev.seraphim.feedback;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Labelled feedback in PostgreSQL (table {@code feedback}): written by POST /api/v1/feedback, read by retrain. */
@ApplicationScoped
public class FeedbackLog {
    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    /** Stores the examples of one request in one transaction; returns their ids in order. */
    public List<Long> record(List<LabelledExample> examples, String keyHash) throws SQLException {
        List<Long> ids = new ArrayList<>(examples.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO feedback (model_name, model_version, request_id, inputs,"
                    + " label, key_hash) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                for (LabelledExample e : examples) {
                    s.setString(1, e.model());
                    s.setString(2, e.version());
                    s.setString(3, e.requestId());
                    s.setString(4, e.inputs());
                    s.setInt(5, e.label());
                    s.setString(6, keyHash);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        ids.add(r.getLong(1));
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return ids;
    }

    /** The model's examples with ids up to {@code maxId}, in id order (a retrain run reads the same set each step). */
    public List<LabelledExample> examples(String model, long maxId) throws SQLException {
        List<LabelledExample> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, model_name,"
                + " model_version, request_id, inputs, label FROM feedback WHERE model_name = ? AND id <= ? ORDER BY id")) {
            s.setString(1, model);
            s.setLong(2, maxId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new LabelledExample(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getInt(6)));
                }
            }
        }
        return out;
    }

    /** How many examples the model has with ids up to {@code maxId}. */
    public long count(String model, long maxId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM feedback WHERE model_name = ? AND id <= ?")) {
            s.setString(1, model);
            s.setLong(2, maxId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** The newest example id of a model, 0 when it has none. */
    public long newestId(String model) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COALESCE(max(id), 0) FROM feedback WHERE model_name = ?")) {
            s.setString(1, model);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** The audit's copy of a prediction's request body, when its model's payload policy kept one. */
    public record ServedRequest(String model, String version, String api, String inputSample) {
    }

    /**
     * The caller's own successful prediction with that request id: a key labels only what it was served, since request
     * ids travel in logs and headers and a client may choose its own.
     */
    public java.util.Optional<ServedRequest> servedRequest(String requestId, String keyHash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT model_name, model_version,"
                + " api, input_sample FROM prediction_audit WHERE request_id = ? AND key_hash = ? AND outcome = 'success'"
                + " ORDER BY received_at DESC LIMIT 1")) {
            s.setString(1, requestId);
            s.setString(2, keyHash);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? java.util.Optional.of(new ServedRequest(r.getString(1), r.getString(2), r.getString(3), r.getString(4)))
                        : java.util.Optional.empty();
            }
        }
    }
}
