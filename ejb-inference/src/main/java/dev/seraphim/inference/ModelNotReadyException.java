package dev.seraphim.inference;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** The model is known but cannot answer now (loading, failed, unloading). */
@ApplicationException
public class ModelNotReadyException extends RuntimeException implements Failure {
    public ModelNotReadyException(String message) {
        super(message);
    }

    /** a load or a sync takes seconds */
    @Override
    public java.util.OptionalInt retryAfterSeconds() {
        return java.util.OptionalInt.of(5);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.UNAVAILABLE;
    }
}
