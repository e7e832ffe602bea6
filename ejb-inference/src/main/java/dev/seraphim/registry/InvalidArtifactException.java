package dev.seraphim.registry;

import jakarta.ejb.ApplicationException;

/** An uploaded or referenced artifact or its metadata that cannot be registered; the message says why. */
@ApplicationException(rollback = true)
public class InvalidArtifactException extends RuntimeException {
    public InvalidArtifactException(String message) {
        super(message);
    }
}
