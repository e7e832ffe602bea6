package dev.seraphim.inference;

import jakarta.ejb.ApplicationException;

/** No model (or no such version of it) is known to this server. */
@ApplicationException
public class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
