package dev.seraphim.failure;

import java.util.OptionalInt;

/**
 * A failure that knows its kind. Domain exceptions implement it, so that the API styles render them without
 * knowing each exception class, and a new exception needs no change to any renderer.
 */
public interface Failure {
    FailureKind kind();

    /** For {@link FailureKind#OVERLOADED} and {@link FailureKind#UNAVAILABLE}: how long the caller should wait. */
    default OptionalInt retryAfterSeconds() {
        return OptionalInt.empty();
    }
}
