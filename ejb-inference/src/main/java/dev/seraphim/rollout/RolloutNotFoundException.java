package dev.seraphim.rollout;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

@ApplicationException
public class RolloutNotFoundException extends RuntimeException implements Failure {
    public RolloutNotFoundException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.NOT_FOUND;
    }
}
