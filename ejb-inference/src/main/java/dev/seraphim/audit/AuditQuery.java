package dev.seraphim.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * Which prediction audit records to read: every filter optional, newest first, {@code limit} per page, and the
 * position after which the page starts (the previous page's {@link AuditPage#next()}).
 */
public record AuditQuery(Optional<String> model, Optional<String> version, Optional<String> outcome,
                         Optional<String> requestId, Optional<Instant> from, Optional<Instant> to, int limit,
                         Optional<Cursor> after) {

    /** A position in the newest-first order: the received time (in microseconds) and id of the last record read. */
    public record Cursor(long receivedMicros, long id) {
        public String token() {
            return receivedMicros + "_" + id;
        }

        /** Empty when the token is not one this API handed out. */
        public static Optional<Cursor> parse(String token) {
            if (token == null || !token.matches("-?\\d{1,19}_\\d{1,19}")) {
                return Optional.empty();
            }
            String[] parts = token.split("_");
            try {
                return Optional.of(new Cursor(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
