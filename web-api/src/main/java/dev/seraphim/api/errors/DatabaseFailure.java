package dev.seraphim.api.errors;

import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a database failure means to the caller, by its SQLSTATE class: a connection, resource or shutdown
 * failure is an outage (503, retry); a data or constraint error is the request's (400/409), which a retry
 * would repeat for ever; anything else is a defect here (500, logged).
 */
final class DatabaseFailure {
    private static final Logger LOG = Logger.getLogger(DatabaseFailure.class.getName());

    private DatabaseFailure() {
    }

    static ApiError of(Throwable t) {
        String state = sqlState(t);
        if (state != null && state.startsWith("22")) {
            return new ApiError(400, "Bad Request", "a value in the request is too long or out of range for what the"
                    + " server stores; check names (128 characters), versions (64) and numbers", null, "client_error");
        }
        if (state != null && state.startsWith("23")) {
            return new ApiError(409, "Conflict", "the request conflicts with what is stored (a duplicate or a missing"
                    + " reference); read the resource and retry with a change", null, "client_error");
        }
        if (state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40") || state.startsWith("HY")) {
            // a dependency is down, not a defect here: the caller may retry, operators see readiness DOWN
            LOG.warning("database unavailable while serving a request: " + t);
            return new ApiError(503, "Service Unavailable", "the database is unavailable; retry later", 5, "server_error");
        }
        LOG.log(Level.SEVERE, "unexpected database failure while serving a request (SQLSTATE " + state + ")", t);
        return new ApiError(500, "Internal Server Error", "the server failed to process the request; the failure was logged",
                null, "server_error");
    }

    /** The first SQLSTATE in the cause chain, or null where no SQLException carries one (a pool timeout, say). */
    static String sqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e) {
                for (SQLException s = e; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null) {
                        return s.getSQLState();
                    }
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
