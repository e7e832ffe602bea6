package dev.seraphim.inference;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** No model (or no such version of it) is known to this server. */
@ApplicationException
public class ModelNotFoundException extends RuntimeException implements Failure {
    public ModelNotFoundException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.NOT_FOUND;
    }
}
