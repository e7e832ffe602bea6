package dev.seraphim.api.inference;

import dev.seraphim.api.WorkerThreadAnswers;
import dev.seraphim.api.security.CurrentCaller;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.engine.InferenceGate;
import dev.seraphim.inference.engine.ModelTarget;
import dev.seraphim.inference.tensor.TensorData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The web tier's side of the inference boundary ({@link InferenceGate}): every endpoint that runs or describes a
 * model resolves it here, with the calling key's model allow-list, so none can forget the check.
 */
@ApplicationScoped
public class ModelAccess {
    @Inject
    CurrentCaller caller;

    /** The engine's request path: a plain object, no EJB invocation per request. */
    @Inject
    InferenceGate gate;

    @Inject
    dev.seraphim.inference.status.ServingStatus status;

    public ModelTarget resolve(String model, Optional<String> version) {
        return resolve(ModelRef.of(model, version));
    }

    public ModelTarget resolve(ModelRef ref) {
        return gate.resolve(ref, caller.get());
    }

    /** An inference request's version: the one it names, else its model's traffic policy's choice (a sticky header read from {@code headers}). */
    public ModelTarget resolve(ModelRef ref, java.util.function.Function<String, String> headers) {
        return gate.resolve(ref, caller.get(), headers);
    }

    /**
     * Runs a request on a resolved version. Its answer may be written on the batch worker's thread, which is made
     * safe for that first.
     */
    public CompletableFuture<InferenceResult> infer(ModelTarget target, List<TensorData> inputs, Set<String> requestedOutputs) {
        return WorkerThreadAnswers.clearedOnWorker(gate.infer(target, inputs, requestedOutputs));
    }

    /** The models with a version ready on this server that the caller may use, sorted (KServe V1's model list). */
    public List<String> servedModels() {
        return status.readyModels().stream().filter(m -> caller.get().map(c -> c.mayUse(m)).orElse(true)).toList();
    }

    @Inject
    dev.seraphim.registry.ModelRegistry registry;

    @Inject
    dev.seraphim.registry.ModelLifecycle lifecycle;

    /**
     * The signature of a version the registry has but this server has not loaded (the caller's allow-list checked):
     * the version named, else the model's default, else its newest. Empty when the registry has no such version.
     */
    public Optional<dev.seraphim.inference.model.ModelDescriptor> registered(String model, Optional<String> version) {
        return registered(model, version, caller.get());
    }

    /** {@link #registered(String, Optional)} for a caller known otherwise (a gRPC call's key). */
    public Optional<dev.seraphim.inference.model.ModelDescriptor> registered(String model, Optional<String> version,
                                                                             Optional<dev.seraphim.security.Caller> caller) {
        if (caller.isPresent() && !caller.get().mayUse(model)) {
            return Optional.empty();
        }
        Optional<dev.seraphim.registry.ModelVersion> v = version.isPresent() ? registry.findVersion(model, version.get())
                : registry.model(model).flatMap(dev.seraphim.registry.RegisteredModel::defaultVersion).flatMap(d -> registry.findVersion(model, d))
                .or(() -> registry.versions(model).stream().reduce((a, b) -> b));
        return v.map(found -> found.descriptor(lifecycle.artifacts().root()));
    }

    /**
     * A version's signature for metadata, whether or not it is loaded here: the loaded one (the traffic policy's
     * choice when no version is named), else the registry's; a model the registry lacks fails as not loaded.
     */
    public dev.seraphim.inference.model.ModelDescriptor describe(String model, Optional<String> version,
                                                                 Optional<dev.seraphim.security.Caller> caller) {
        try {
            return gate.resolve(ModelRef.of(model, version), caller).descriptor();
        } catch (dev.seraphim.inference.ModelNotReadyException notLoaded) {
            return registered(model, version, caller).orElseThrow(() -> notLoaded);
        }
    }

    /** {@link #describe(String, Optional, Optional)} for the calling key of this request. */
    public dev.seraphim.inference.model.ModelDescriptor describe(String model, Optional<String> version) {
        return describe(model, version, caller.get());
    }

    /** The versions of a model loaded on this server, sorted. */
    public List<String> loadedVersions(String model) {
        return gate.loadedVersions(model);
    }
}
