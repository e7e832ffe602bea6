package dev.seraphim.registry;

import jakarta.ejb.ApplicationException;

/** An upload larger than seraphim.registry.max.upload.bytes. */
@ApplicationException(rollback = true)
public class ArtifactTooLargeException extends RuntimeException {
    public ArtifactTooLargeException(long limit) {
        super("the model file exceeds the upload limit of " + limit + " bytes (seraphim.registry.max.upload.bytes)");
    }
}
