package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.ModelNotAllowedException;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.InferenceTimeoutException;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import dev.seraphim.security.Caller;
import dev.seraphim.traffic.TrafficPolicy;
import dev.seraphim.traffic.TrafficShares;

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
import java.util.function.Function;

/**
 * The inference boundary: the one entry every API style (REST's three, gRPC later) calls. It resolves the version
 * a request names once ({@link #resolve}), checks the request against its signature once, counts its inputs for
 * drift and queues it on the version's batcher ({@link #infer}). A plain
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
    /** the models' traffic policies, as of the registry's last sync */
    private volatile Map<String, TrafficPolicy> traffic = Map.of();
    private final TrafficShares shares = new TrafficShares();

    private final ShadowTraffic shadows;

    InferenceGate(Map<String, Map<String, ServedModel>> models, Map<String, String> defaultVersions, long defaultTimeoutMillis,
                  BiConsumer<ModelDescriptor, List<TensorData>> observer, ShadowTraffic shadows) {
        this.shadows = shadows;
        this.models = models;
        this.defaultVersions = defaultVersions;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
        this.observer = observer;
    }

    /**
     * The version a request will run on, resolved once: the version it names, else the model's default. The
     * caller's key must be allowed the model. Not-ready versions resolve too (metadata and readiness describe
     * them); {@link #infer} refuses them.
     */
    public ModelTarget resolve(ModelRef ref, Optional<Caller> caller) {
        return resolve(ref, caller, header -> null);
    }

    /**
     * As {@link #resolve(ModelRef, Optional)}, an unversioned request of a model with a traffic policy taking the
     * version the policy chooses for it ({@code headers} for a sticky header); a version this server has not loaded
     * (yet, or any more) falls back to the default. A request that names its version bypasses the split.
     */
    public ModelTarget resolve(ModelRef ref, Optional<Caller> caller, Function<String, String> headers) {
        if (caller.isPresent() && !caller.get().mayUse(ref.name())) {
            throw new ModelNotAllowedException(ref.name());
        }
        TrafficPolicy policy = ref.version().filter(s -> !s.isEmpty()).isEmpty() ? traffic.get(ref.name()) : null;
        if (policy == null) {
            return new ModelTarget(find(ref.name(), ref.version()));
        }
        String chosen = policy.choose(headers, caller);
        Map<String, ServedModel> versions = models.get(ref.name());
        ServedModel served = find(ref.name(), versions != null && versions.containsKey(chosen) ? Optional.of(chosen) : Optional.empty());
        shares.count(ref.name(), served.version());
        ServedModel shadow = policy.shadow().filter(s -> !s.version().equals(served.version()) && s.draw())
                .map(s -> versions == null ? null : versions.get(s.version())).filter(ServedModel::ready).orElse(null);
        return new ModelTarget(served, shadow);
    }

    /** The traffic policies the registry holds, applied from now on. */
    void traffic(Map<String, TrafficPolicy> policies) {
        this.traffic = Map.copyOf(policies);
    }

    public Optional<TrafficPolicy> traffic(String model) {
        return Optional.ofNullable(traffic.get(model));
    }

    /** Each version's unversioned requests over the last minutes, for models with a policy. */
    public Map<String, Long> liveShares(String model) {
        return shares.lastMinutes(model);
    }

    /**
     * The one check of a request against the signature (inputs by name, datatype, shape and rows; the outputs it
     * asks for, empty meaning all), its inputs counted for drift, then queued on the version's batcher. The future
     * completes with this caller's rows of every output.
     */
    public CompletableFuture<InferenceResult> infer(ModelTarget target, List<TensorData> inputs, Set<String> requestedOutputs) {
        ServedModel served = target.served();
        if (!served.ready()) {
            throw new ModelNotReadyException("model " + served.name() + " version " + served.version() + " is not ready: " + served.error());
        }
        ModelDescriptor d = served.descriptor();
        for (String output : requestedOutputs) {
            if (d.output(output).isEmpty()) {
                throw new InvalidTensorException("model " + d.name() + " has no output '" + output + "'; its outputs are "
                        + d.outputs().stream().map(TensorSpec::name).toList());
            }
        }
        List<TensorData> ordered = d.inSignatureOrder(inputs);
        observer.accept(d, ordered);
        long timeout = d.timeoutMillis().orElse(defaultTimeoutMillis);
        long submitted = System.nanoTime();
        CompletableFuture<InferenceResult> live = run(served, ordered, timeout, submitted);
        if (target.shadow() != null) {
            shadows.offer(target.shadow(), ordered, live);
        }
        return live;
    }

    /** Rows compared and rows agreeing (argmax) so far, of every model's shadow versions, by "model/version": for the shared log. */
    public Map<String, long[]> shadowRows() {
        Map<String, long[]> out = new java.util.HashMap<>();
        shadows.all().forEach((k, f) -> out.put(k, new long[]{f.rows.sum(), f.agreeingRows.sum()}));
        return out;
    }

    /** Each shadow version's figures for a model (compared, dropped, failed; argmax agreement, mean absolute difference). */
    public Map<String, Map<String, Number>> shadowFigures(String model) {
        Map<String, Map<String, Number>> out = new java.util.TreeMap<>();
        shadows.figuresOf(model).forEach((v, f) -> out.put(v, Map.of("compared", f.compared.sum(), "dropped", f.dropped.sum(),
                "failed", f.failed.sum(), "argmax_agreement", f.agreement(), "mean_abs_difference", f.meanAbsDifference())));
        return out;
    }

    private CompletableFuture<InferenceResult> run(ServedModel served, List<TensorData> ordered, long timeout, long submitted) {
        CompletableFuture<dev.seraphim.inference.batching.BatchResult> queued = served.batcher().submit(ordered);
        CompletableFuture<InferenceResult> answer = queued
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
        // a caller that gives up (a gRPC deadline, a cancelled call) cancels its answer: still queued, the request is
        // then dropped by the batcher before its forward (counted in seraphim_queue_expired)
        answer.whenComplete((result, failure) -> {
            if (answer.isCancelled()) {
                queued.cancel(false);
            }
        });
        return answer;
    }

    /** The versions of a model loaded here, sorted. */
    public List<String> loadedVersions(String name) {
        Map<String, ServedModel> versions = models.get(name);
        return versions == null ? List.of() : versions.keySet().stream().sorted().toList();
    }

    /** The registry's versions of every model, loaded here or not. */
    void registered(Map<String, Set<String>> versionsByModel) {
        this.registered = Map.copyOf(versionsByModel);
    }

    ServedModel find(String name, Optional<String> version) {
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
