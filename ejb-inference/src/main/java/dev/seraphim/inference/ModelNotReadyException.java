package dev.seraphim.inference;

import jakarta.ejb.ApplicationException;

/** The model is known but cannot answer now (loading, failed, unloading). */
@ApplicationException
public class ModelNotReadyException extends RuntimeException {
    public ModelNotReadyException(String message) {
        super(message);
    }
}
