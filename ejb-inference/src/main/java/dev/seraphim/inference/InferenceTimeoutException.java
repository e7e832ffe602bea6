package dev.seraphim.inference;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** A request waited longer than its timeout for a result. */
@ApplicationException
public class InferenceTimeoutException extends RuntimeException implements Failure {
    public InferenceTimeoutException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.TIMED_OUT;
    }
}
