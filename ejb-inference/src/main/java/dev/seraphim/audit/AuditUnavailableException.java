package dev.seraphim.audit;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;

import java.util.OptionalInt;

/** A synchronously audited answer whose record could not be committed: the answer is withheld, the caller retries. */
public class AuditUnavailableException extends RuntimeException implements Failure {
    public AuditUnavailableException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.UNAVAILABLE;
    }

    @Override
    public OptionalInt retryAfterSeconds() {
        return OptionalInt.of(1);
    }
}
