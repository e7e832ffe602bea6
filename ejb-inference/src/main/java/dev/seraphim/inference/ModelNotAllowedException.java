package dev.seraphim.inference;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;

/** The caller's key has a model allow-list that does not include this model. */
public class ModelNotAllowedException extends RuntimeException implements Failure {
    public ModelNotAllowedException(String model) {
        super("this API key may not use model " + (model != null && model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") ? model : "?")
                + "; ask an admin to add it to the key's models");
    }

    @Override
    public FailureKind kind() {
        return FailureKind.FORBIDDEN;
    }
}
