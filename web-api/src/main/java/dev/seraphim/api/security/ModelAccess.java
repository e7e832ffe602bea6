package dev.seraphim.api.security;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.WorkerThreadAnswers;
import dev.seraphim.inference.InferenceRequest;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.InferenceGate;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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

    /** The engine's request path, asked for once: a plain object, no EJB invocation per request. */
    private InferenceGate gate;

    @PostConstruct
    void init() {
        gate = engine.gate();
    }

    /**
     * Queues a request for a model found through {@link #find} (which made the allow-list check). Its answer may be
     * written on the batch worker's thread, which is made safe for that first.
     */
    public CompletableFuture<InferenceResult> infer(InferenceRequest request) {
        return WorkerThreadAnswers.clearedOnWorker(gate.infer(request));
    }

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
        return gate.find(model, version);
    }
}
