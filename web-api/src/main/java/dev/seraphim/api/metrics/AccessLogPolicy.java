package dev.seraphim.api.metrics;

import java.util.Locale;
import java.util.Optional;

/**
 * Which inference requests get an access line in messages.log ({@code seraphim.log.access}). Every request is
 * counted in the metrics and leaves a row in the prediction audit trail either way; the access line is for
 * people reading the log. Under load one line per success rolled messages.log over within a minute, taking
 * the server's warnings with it, and writing it was 7 % of a small request's server CPU (measured with the benchmark).
 */
public enum AccessLogPolicy {
    /** A line for every request. */
    ALL,
    /** A line for every request that did not succeed: client and server errors, rejections, timeouts. */
    FAILURES,
    /** No access lines. */
    NONE;

    public static final String KEY = "seraphim.log.access";
    public static final AccessLogPolicy DEFAULT = FAILURES;

    /** The policy a configured value names ({@code all}, {@code failures}, {@code none}, any case); empty if none. */
    public static Optional<AccessLogPolicy> named(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (AccessLogPolicy p : values()) {
            if (p.name().equals(value.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Whether a request with this outcome ({@code success}, {@code client_error}, ...) gets a line. */
    public boolean writes(String outcome) {
        return this == ALL || this == FAILURES && !"success".equals(outcome);
    }
}
