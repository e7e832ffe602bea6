package dev.seraphim.registry;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Model files kept in PostgreSQL beside the registry, so that every replica can serve every version: a replica
 * whose store lacks a version's file (a new pod, an empty volume) fetches it, checks its sha256 and puts it in its
 * store before loading. Stored at registration, and by any replica that has a file the database lacks (versions
 * registered before this existed); removed when no version refers to it any more.
 */
final class StoredArtifacts {
    private static final Logger LOG = Logger.getLogger(StoredArtifacts.class.getName());
    static final int CHUNK_BYTES = 1 << 20;

    private final DataSource database;
    private final ArtifactStore store;
    private final boolean enabled;
    private final long maxBytes;
    /** local files found not to have their registered digest (by digest, with the file's time then): not offered again until changed */
    private final Map<String, FileTime> refused = new ConcurrentHashMap<>();

    StoredArtifacts(DataSource database, ArtifactStore store, boolean enabled, long maxBytes) {
        this.database = database;
        this.store = store;
        this.enabled = enabled;
        this.maxBytes = maxBytes;
    }

    /** Stores a file under its digest unless the database has it already; a file whose content is not that digest is refused. */
    void publish(String sha256, Path file) {
        if (!enabled) {
            return;
        }
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try {
                long bytes = Files.size(file);
                int chunks = (int) ((bytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
                try (PreparedStatement header = c.prepareStatement(
                        "INSERT INTO model_artifact (sha256, bytes, chunks) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
                    header.setString(1, sha256);
                    header.setLong(2, bytes);
                    header.setInt(3, chunks);
                    if (header.executeUpdate() == 0) {
                        // another replica stored it (its transaction committed before ours could insert)
                        c.rollback();
                        return;
                    }
                }
                MessageDigest digest = sha256();
                try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest);
                     PreparedStatement chunk = c.prepareStatement("INSERT INTO model_artifact_chunk (sha256, seq, data) VALUES (?, ?, ?)")) {
                    for (int seq = 0; seq < chunks; seq++) {
                        chunk.setString(1, sha256);
                        chunk.setInt(2, seq);
                        chunk.setBytes(3, in.readNBytes(CHUNK_BYTES));
                        chunk.executeUpdate();
                    }
                }
                String actual = HexFormat.of().formatHex(digest.digest());
                if (!actual.equals(sha256)) {
                    c.rollback();
                    refused.put(sha256, Files.getLastModifiedTime(file));
                    LOG.warning("the model file " + store.root().relativize(file) + " has sha256 " + actual + ", not the registered "
                            + sha256 + ": not stored in the database (the file was changed or damaged)");
                    return;
                }
                c.commit();
                LOG.info("model file " + store.root().relativize(file) + " (" + bytes + " bytes) stored in the database for other replicas");
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the model file could not be stored in the database: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stores every version's file this replica has and the database lacks (asked afresh at each sync: a restored
     * database may have lost copies); a failure is logged and tried at the next sync.
     */
    void publishMissing(List<ModelVersion> versions) {
        if (!enabled) {
            return;
        }
        Set<String> stored = new HashSet<>();
        try (Connection c = database.getConnection(); PreparedStatement q = c.prepareStatement("SELECT sha256 FROM model_artifact");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        } catch (SQLException e) {
            LOG.warning("could not list the model files stored in the database: " + e.getMessage());
            return;
        }
        for (ModelVersion v : versions) {
            Path file = store.root().resolve(v.artifactPath());
            if (!stored.contains(v.artifactSha256()) && Files.isRegularFile(file) && !refusedAsIs(v.artifactSha256(), file)) {
                try {
                    publish(v.artifactSha256(), file);
                } catch (RuntimeException e) {
                    LOG.warning("could not store the model file of " + v.model().name() + " version " + v.version()
                            + " in the database: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Puts a version's file into this replica's store from the database when the store lacks it. False when it is
     * there already or the database has no copy (the load then reports the file missing); a copy whose digest is
     * not the registered one is discarded.
     */
    boolean fetchIfMissing(ModelVersion v) {
        Path target = store.root().resolve(v.artifactPath()).normalize();
        if (!enabled || Files.exists(target) || !target.startsWith(store.root())) {
            return false;
        }
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement q = c.prepareStatement("SELECT data FROM model_artifact_chunk WHERE sha256 = ? ORDER BY seq")) {
                // a cursor: a few chunks in memory at a time, never the whole model
                q.setFetchSize(4);
                q.setString(1, v.artifactSha256());
                try (ResultSet rs = q.executeQuery(); InputStream in = new ChunkStream(rs)) {
                    ArtifactStore.Staged staged = store.stage(in, maxBytes);
                    if (staged.bytes() == 0 && !exists(c, v.artifactSha256())) {
                        store.discard(staged);
                        return false;
                    }
                    if (!staged.sha256().equals(v.artifactSha256())) {
                        store.discard(staged);
                        LOG.warning("the database's copy of " + v.artifactPath() + " has sha256 " + staged.sha256() + ", not the registered "
                                + v.artifactSha256() + ": not used");
                        return false;
                    }
                    Path relative = store.root().relativize(target);
                    store.commit(staged, relative.getName(0).toString(), relative.getName(1).toString(), relative.getFileName().toString());
                    LOG.info("model file " + v.artifactPath() + " (" + staged.bytes() + " bytes) fetched from the database, sha256 checked");
                    return true;
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("the model file " + v.artifactPath() + " could not be fetched from the database: " + e.getMessage(), e);
        }
    }

    /** Removes a stored file no version refers to any more. */
    void forgetUnlessUsed(String sha256, List<ModelVersion> remaining) {
        if (!enabled || remaining.stream().anyMatch(v -> v.artifactSha256().equals(sha256))) {
            return;
        }
        try (Connection c = database.getConnection(); PreparedStatement d = c.prepareStatement("DELETE FROM model_artifact WHERE sha256 = ?")) {
            d.setString(1, sha256);
            d.executeUpdate();
        } catch (SQLException e) {
            LOG.warning("could not remove the stored model file " + sha256 + " from the database: " + e.getMessage());
        }
    }

    private boolean refusedAsIs(String sha256, Path file) {
        FileTime then = refused.get(sha256);
        try {
            return then != null && then.equals(Files.getLastModifiedTime(file));
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean exists(Connection c, String sha256) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM model_artifact WHERE sha256 = ?")) {
            q.setString(1, sha256);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chunks of one artifact, in order, as one stream. */
    private static final class ChunkStream extends InputStream {
        private final ResultSet rows;
        private byte[] chunk = new byte[0];
        private int at;

        ChunkStream(ResultSet rows) {
            this.rows = rows;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (at == chunk.length) {
                try {
                    if (!rows.next()) {
                        return -1;
                    }
                    chunk = rows.getBytes(1);
                    at = 0;
                } catch (SQLException e) {
                    throw new IOException("reading the stored model file: " + e.getMessage(), e);
                }
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
        }
    }
}
