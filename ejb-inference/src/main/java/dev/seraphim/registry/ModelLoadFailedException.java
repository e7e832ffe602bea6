package dev.seraphim.registry;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** libtorch could not load a registered version; it is FAILED in the registry with this message. */
@ApplicationException
public class ModelLoadFailedException extends RuntimeException implements Failure {
    public ModelLoadFailedException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.UNPROCESSABLE;
    }
}
