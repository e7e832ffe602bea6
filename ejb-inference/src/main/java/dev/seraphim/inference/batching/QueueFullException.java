package dev.seraphim.inference.batching;

import jakarta.ejb.ApplicationException;

/** The model's queue is at capacity; the caller should retry after {@link #retryAfterSeconds()}. */
@ApplicationException
public class QueueFullException extends RuntimeException {
    private final int retryAfterSeconds;

    public QueueFullException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
