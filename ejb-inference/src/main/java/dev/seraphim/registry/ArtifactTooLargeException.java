package dev.seraphim.registry;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/** An upload larger than seraphim.registry.max.upload.bytes. */
@ApplicationException(rollback = true)
public class ArtifactTooLargeException extends RuntimeException implements Failure {
    public ArtifactTooLargeException(long limit) {
        super("the model file exceeds the upload limit of " + limit + " bytes (seraphim.registry.max.upload.bytes)");
    }

    @Override
    public FailureKind kind() {
        return FailureKind.TOO_LARGE;
    }
}
