package dev.seraphim.api.security;

import dev.seraphim.api.ApiError;
import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * The served model a request names, after the caller key's model allow-list: every endpoint that runs or
 * describes a model finds it here rather than in the engine, so none can forget the check.
 */
@ApplicationScoped
public class ModelAccess {
    @Inject
    CurrentCaller caller;

    @Inject
    InferenceEngine engine;

    public ServedModel find(String model, Optional<String> version) {
        // a name outside the pattern can never be registered: say so, rather than "not found" for "../x"
        if (model == null || !ModelDescriptors.MODEL_NAME.matcher(model).matches()) {
            throw new ApiError.BadRequestException("a model name must match " + ModelDescriptors.MODEL_NAME.pattern());
        }
        if (version.isPresent() && !ModelDescriptors.VERSION.matcher(version.get()).matches()) {
            throw new ApiError.BadRequestException("a model version must match " + ModelDescriptors.VERSION.pattern());
        }
        if (caller.get().isPresent() && !caller.get().get().mayUse(model)) {
            throw new ModelNotAllowedException(model);
        }
        return engine.find(model, version);
    }
}
