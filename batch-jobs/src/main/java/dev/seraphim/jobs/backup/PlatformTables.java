package dev.seraphim.jobs.backup;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The platform's own tables (schema public, Flyway's history aside), read from the catalogue so that a new
 * migration's tables are backed up without a change here. Rows are copied in primary-key order, so the COPY
 * text of a table, and its SHA-256, is the same whenever the rows are: that is the checksum the manifest keeps
 * and a restore or drill recomputes.
 */
public final class PlatformTables {
    private PlatformTables() {
    }

    /**
     * Rolls back the transaction that {@code failure} ended and gives the connection back read-write with
     * auto-commit, and returns {@code failure} to be thrown. Errors on the way are suppressed into it: after a
     * failed COPY, pgjdbc's cancel surfaces on the rollback and PostgreSQL refuses to reset read-only inside the
     * transaction, and neither may replace the failure the operator must see (a full disk, a lost connection).
     * Liberty discards a connection left in such a state.
     */
    public static <E extends Exception> E abandon(Connection c, E failure) {
        try {
            c.rollback();
        } catch (SQLException rollback) {
            failure.addSuppressed(rollback);
        }
        try {
            c.setReadOnly(false);
            c.setAutoCommit(true);
        } catch (SQLException reset) {
            failure.addSuppressed(reset);
        }
        return failure;
    }

    /** Parents before children (foreign keys), so that rows can be loaded in this order. */
    public static List<String> inDependencyOrder(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                + " AND tablename <> 'flyway_schema_history' ORDER BY tablename");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        Map<String, Set<String>> parents = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT child.relname, parent.relname FROM pg_constraint k"
                + " JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid"
                + " JOIN pg_namespace n ON n.oid = child.relnamespace WHERE k.contype = 'f' AND n.nspname = 'public'");
             ResultSet r = s.executeQuery()) {
            while (r.next()) {
                if (!r.getString(1).equals(r.getString(2))) {
                    parents.computeIfAbsent(r.getString(1), k -> new LinkedHashSet<>()).add(r.getString(2));
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < tables.size()) {
            boolean progress = false;
            for (String t : tables) {
                if (!placed.contains(t) && placed.containsAll(parents.getOrDefault(t, Set.of()))) {
                    ordered.add(t);
                    placed.add(t);
                    progress = true;
                }
            }
            if (!progress) {
                throw new SQLException("the foreign keys between " + tables + " form a cycle");
            }
        }
        return ordered;
    }

    /** The schema version the migrations brought the database to; a backup restores only into the same one. */
    public static String schemaVersion(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM flyway_schema_history WHERE success"
                + " ORDER BY installed_rank DESC LIMIT 1"); ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : "none";
        }
    }

    public static long copyOut(Connection c, String table, OutputStream out) throws SQLException, IOException {
        return copyOut(c, "public", table, out);
    }

    public static long copyOut(Connection c, String schema, String table, OutputStream out) throws SQLException, IOException {
        return c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + orderedSelect(c, quote(schema) + "." + quote(table)) + ") TO STDOUT", out);
    }

    public static long copyIn(Connection c, String table, InputStream in) throws SQLException, IOException {
        return copyIn(c, "public", table, in);
    }

    public static long copyIn(Connection c, String schema, String table, InputStream in) throws SQLException, IOException {
        return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + quote(schema) + "." + quote(table) + " FROM STDIN", in);
    }

    /** {@code qualified} is a quoted "schema"."table". */
    static String orderedSelect(Connection c, String qualified) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                + " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary"
                + " ORDER BY array_position(i.indkey, a.attnum)")) {
            s.setString(1, qualified);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    key.add(quote(r.getString(1)));
                }
            }
        }
        String order = key.isEmpty() ? "t::text" : String.join(", ", key);
        return "SELECT * FROM " + qualified + " t ORDER BY " + order;
    }

    /** Sequences owned by the table's columns, set past the restored rows. */
    public static void resetSequences(Connection c, String table) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname, pg_get_serial_sequence(?, a.attname) FROM pg_attribute a"
                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            s.setString(1, quote(table));
            s.setString(2, quote(table));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (r.getString(2) != null) {
                        try (PreparedStatement set = c.prepareStatement("SELECT setval(?, coalesce((SELECT max(" + quote(r.getString(1))
                                + ") FROM " + quote(table) + "), 0) + 1, false)")) {
                            set.setString(1, r.getString(2));
                            set.execute();
                        }
                    }
                }
            }
        }
    }

    public static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("unexpected identifier " + identifier);
        }
        return "\"" + identifier + "\"";
    }
}
