package dev.seraphim.api.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Applies the caller key's model allow-list; called by every endpoint that names a model to run or describe. */
@RequestScoped
public class ModelAccess {
    @Inject
    CurrentCaller caller;

    public void check(String model) {
        if (caller.get().isPresent() && !caller.get().get().mayUse(model)) {
            throw new ModelNotAllowedException(model);
        }
    }
}
