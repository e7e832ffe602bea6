package dev.seraphim.inference.batching;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** The model's queue is at capacity; the caller should retry after {@link #retryAfterSeconds()}. */
@ApplicationException
public class QueueFullException extends RuntimeException implements Failure {
    private final int retryAfterSeconds;

    public QueueFullException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public java.util.OptionalInt retryAfterSeconds() {
        return java.util.OptionalInt.of(retryAfterSeconds);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.OVERLOADED;
    }
}
