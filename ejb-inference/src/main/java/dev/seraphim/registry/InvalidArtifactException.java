package dev.seraphim.registry;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** An uploaded or referenced artifact or its metadata that cannot be registered; the message says why. */
@ApplicationException(rollback = true)
public class InvalidArtifactException extends RuntimeException implements Failure {
    public InvalidArtifactException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.INVALID;
    }
}
