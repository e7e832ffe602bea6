package dev.seraphim.inference;

/** The model is known but cannot answer now (loading, failed, unloading). */
public class ModelNotReadyException extends RuntimeException {
    public ModelNotReadyException(String message) {
        super(message);
    }
}
