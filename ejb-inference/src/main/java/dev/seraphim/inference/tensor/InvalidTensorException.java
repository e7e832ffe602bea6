package dev.seraphim.inference.tensor;

/** A tensor in a request that the caller must fix: wrong datatype, shape, rank or data length. */
public class InvalidTensorException extends RuntimeException {
    public InvalidTensorException(String message) {
        super(message);
    }
}
