package dev.seraphim.inference;

/** A request waited longer than its timeout for a result. */
public class InferenceTimeoutException extends RuntimeException {
    public InferenceTimeoutException(String message) {
        super(message);
    }
}
