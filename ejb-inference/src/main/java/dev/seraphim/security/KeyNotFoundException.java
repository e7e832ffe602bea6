package dev.seraphim.security;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** No live key has this id. */
@ApplicationException
public class KeyNotFoundException extends RuntimeException implements Failure {
    public KeyNotFoundException(String id) {
        super("no API key with id '" + (id != null && id.matches("[a-z0-9]{1,32}") ? id : "?") + "'");
    }

    @Override
    public FailureKind kind() {
        return FailureKind.NOT_FOUND;
    }
}
