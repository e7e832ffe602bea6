package dev.seraphim.registry;

import jakarta.ejb.ApplicationException;

/** libtorch could not load a registered version; it is FAILED in the registry with this message. */
@ApplicationException
public class ModelLoadFailedException extends RuntimeException {
    public ModelLoadFailedException(String message) {
        super(message);
    }
}
