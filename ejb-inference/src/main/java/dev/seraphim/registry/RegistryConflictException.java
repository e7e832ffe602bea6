package dev.seraphim.registry;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** The request conflicts with the registry's state: an existing version, a version still in use, a lost race. */
@ApplicationException(rollback = true)
public class RegistryConflictException extends RuntimeException implements Failure {
    public RegistryConflictException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.CONFLICT;
    }
}
