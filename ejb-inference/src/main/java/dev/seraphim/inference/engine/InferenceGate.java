package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.InferenceRequest;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.InferenceTimeoutException;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The request path of the {@link InferenceEngine}: finds the served model version a request names, checks the
 * request against its signature, counts its inputs for drift and queues it on the model's batcher. A plain
 * object the engine owns and the web tier holds, so that a request costs no EJB invocation (measured: the two
 * per request were 10 % of the server's CPU at 64 clients on tabular-mlp); the tables it reads are the
 * engine's, changed only by the engine.
 */
public final class InferenceGate {
    /** model name → version → served model */
    private final Map<String, Map<String, ServedModel>> models;
    private final Map<String, String> defaultVersions;
    private final long defaultTimeoutMillis;
    private final BiConsumer<ModelDescriptor, List<TensorData>> observer;
    /** every registered version, loaded or not, so that a known but unloaded version answers "not ready" */
    private volatile Map<String, Set<String>> registered = Map.of();

    InferenceGate(Map<String, Map<String, ServedModel>> models, Map<String, String> defaultVersions, long defaultTimeoutMillis,
                  BiConsumer<ModelDescriptor, List<TensorData>> observer) {
        this.models = models;
        this.defaultVersions = defaultVersions;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
        this.observer = observer;
    }

    /** Checks the request against the model's signature and queues it; the future completes with this caller's rows. */
    public CompletableFuture<InferenceResult> infer(InferenceRequest request) {
        ServedModel served = find(request.model(), request.version());
        if (!served.ready()) {
            throw new ModelNotReadyException("model " + served.name() + " version " + served.version() + " is not ready: " + served.error());
        }
        List<TensorData> ordered = inSignatureOrder(served.descriptor(), request.inputs());
        observer.accept(served.descriptor(), ordered);
        long timeout = served.descriptor().timeoutMillis().orElse(defaultTimeoutMillis);
        long submitted = System.nanoTime();
        return served.batcher().submit(ordered)
                .orTimeout(timeout, TimeUnit.MILLISECONDS)
                .handle((batch, failure) -> {
                    // a batch run on the caller's own thread (an idle model) cannot be cut off at the deadline;
                    // its late result is refused all the same, as a worker's would have been
                    if (failure == null && System.nanoTime() - submitted > TimeUnit.MILLISECONDS.toNanos(timeout)) {
                        failure = new TimeoutException();
                    }
                    if (failure == null) {
                        return new InferenceResult(served.name(), served.version(), batch.outputs(), batch.batchRows(),
                                batch.queueNanos(), batch.computeNanos());
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof TimeoutException) {
                        throw new InferenceTimeoutException("no result within " + timeout + " ms for model "
                                + served.name() + "; the server is busy, retry later");
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new InferenceFailedException("inference failed: " + cause);
                });
    }

    private static List<TensorData> inSignatureOrder(ModelDescriptor d, List<TensorData> inputs) {
        Set<String> seen = new HashSet<>();
        for (TensorData t : inputs) {
            if (!seen.add(t.name())) {
                throw new InvalidTensorException("input '" + t.name() + "' is given more than once");
            }
            if (d.input(t.name()).isEmpty()) {
                throw new InvalidTensorException("model " + d.name() + " has no input '" + t.name() + "'; its inputs are "
                        + d.inputs().stream().map(TensorSpec::name).toList());
            }
        }
        List<TensorData> ordered = new ArrayList<>(d.inputs().size());
        long rows = -1;
        for (TensorSpec spec : d.inputs()) {
            TensorData t = inputs.stream().filter(i -> i.name().equals(spec.name())).findFirst()
                    .orElseThrow(() -> new InvalidTensorException("input '" + spec.name() + "' of model " + d.name() + " is missing"));
            spec.check(t);
            if (rows >= 0 && t.rows() != rows) {
                throw new InvalidTensorException("all inputs must have the same number of rows (first dimension)");
            }
            rows = t.rows();
            ordered.add(t);
        }
        return ordered;
    }

    /** The registry's versions of every model, loaded here or not. */
    void registered(Map<String, Set<String>> versionsByModel) {
        this.registered = Map.copyOf(versionsByModel);
    }

    public ServedModel find(String name, Optional<String> version) {
        Map<String, ServedModel> versions = models.get(name);
        Set<String> known = registered.getOrDefault(name, Set.of());
        Optional<String> wanted = version.filter(s -> !s.isEmpty());
        if (wanted.isPresent() && known.contains(wanted.get()) && (versions == null || !versions.containsKey(wanted.get()))) {
            throw new ModelNotReadyException("version " + wanted.get() + " of model " + name + " is registered but not loaded; load it first");
        }
        if ((versions == null || versions.isEmpty()) && !known.isEmpty()) {
            throw new ModelNotReadyException("model " + name + " has no version loaded; load one first");
        }
        if (versions == null || versions.isEmpty()) {
            throw new ModelNotFoundException("model '" + name + "' is not known to this server");
        }
        Optional<String> asked = version.filter(s -> !s.isEmpty());
        String v = asked.orElse(defaultVersions.get(name));
        if (v == null) {
            throw new ModelNotReadyException("model " + name + " has no default version loaded; name a version");
        }
        ServedModel served = versions.get(v);
        if (served == null) {
            if (asked.isEmpty()) {
                throw new ModelNotReadyException("the default version " + v + " of model " + name + " is not loaded");
            }
            throw new ModelNotFoundException("model '" + name + "' has no loaded version '" + v + "'; loaded: " + versions.keySet());
        }
        return served;
    }
}
