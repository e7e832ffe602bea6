package dev.seraphim.inference;

import jakarta.ejb.ApplicationException;

/** A request waited longer than its timeout for a result. */
@ApplicationException
public class InferenceTimeoutException extends RuntimeException {
    public InferenceTimeoutException(String message) {
        super(message);
    }
}
