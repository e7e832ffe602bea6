package dev.seraphim.inference;

/** No model (or no such version of it) is known to this server. */
public class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
