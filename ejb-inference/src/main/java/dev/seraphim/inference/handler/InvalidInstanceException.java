package dev.seraphim.inference.handler;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** An image, text or record a handler cannot turn into tensors; the message says what to fix. */
@ApplicationException
public class InvalidInstanceException extends RuntimeException implements Failure {
    private final FailureKind kind;

    public InvalidInstanceException(String message) {
        this(FailureKind.INVALID, message);
    }

    public InvalidInstanceException(FailureKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    @Override
    public FailureKind kind() {
        return kind;
    }
}
