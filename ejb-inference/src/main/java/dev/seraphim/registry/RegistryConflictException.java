package dev.seraphim.registry;

import jakarta.ejb.ApplicationException;

/** The request conflicts with the registry's state: an existing version, a version still in use, a lost race. */
@ApplicationException(rollback = true)
public class RegistryConflictException extends RuntimeException {
    public RegistryConflictException(String message) {
        super(message);
    }
}
