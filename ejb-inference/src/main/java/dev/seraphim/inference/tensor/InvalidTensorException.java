package dev.seraphim.inference.tensor;

import jakarta.ejb.ApplicationException;

/** A tensor in a request that the caller must fix: wrong datatype, shape, rank or data length. */
@ApplicationException
public class InvalidTensorException extends RuntimeException {
    public InvalidTensorException(String message) {
        super(message);
    }
}
