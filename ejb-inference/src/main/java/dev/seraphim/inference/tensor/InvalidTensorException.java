package dev.seraphim.inference.tensor;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** A tensor in a request that the caller must fix: wrong datatype, shape, rank or data length. */
@ApplicationException
public class InvalidTensorException extends RuntimeException implements Failure {
    public InvalidTensorException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.INVALID;
    }
}
