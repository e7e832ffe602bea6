package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.InferenceRequest;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.InferenceTimeoutException;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.batching.BatchObserver;
import dev.seraphim.inference.batching.Batcher;
import dev.seraphim.inference.batching.BatchingSettings;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelStore;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one owner of libtorch in the application: configures it at start, loads every model of the model store,
 * and answers inference requests through each model's dynamic batcher. Bean-managed concurrency: callers never
 * queue on the bean itself, only on the batchers.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class InferenceEngine {
    private static final Logger LOG = Logger.getLogger(InferenceEngine.class.getName());

    @Inject
    EngineSettings settings;

    @Resource(lookup = "concurrent/inference")
    ManagedExecutorService executor;

    @Inject
    ModelLoadHistory history;

    @Inject
    BatchMetrics batchMetrics;

    private Device device;
    /** model name → version → served model */
    private final Map<String, Map<String, ServedModel>> models = new ConcurrentHashMap<>();
    private final Map<String, String> defaultVersions = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        device = TorchRuntime.configure(settings.device(), settings.intraOpThreads(), settings.interOpThreads());
        ModelStore store = new ModelStore(Path.of(settings.modelStore()));
        List<ModelDescriptor> descriptors;
        try {
            descriptors = store.scan();
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot read the model store " + store.directory() + ": " + e.getMessage());
            return;
        }
        for (ModelDescriptor d : descriptors) {
            load(d);
        }
        LOG.info("serving " + readyModels().size() + " of " + descriptors.size() + " models from " + store.directory()
                + " on " + device.str().getString() + "; JavaCPP native bytes " + Pointer.physicalBytes());
    }

    private void load(ModelDescriptor d) {
        long start = System.nanoTime();
        ServedModel served;
        try {
            LoadedModel model = LoadedModel.load(d, device);
            BatchingSettings batching = settings.batching(d.batching());
            Batcher batcher = new Batcher(d.name() + " version " + d.version(), d.inputs(), batching, model::forward, executor,
                    batchMetrics.observer(d.name(), d.version()));
            served = new ServedModel(d, model, batcher, ServedModel.State.READY, null, millisSince(start));
            LOG.info("model " + d.name() + " version " + d.version() + " READY in " + served.loadMillis() + " ms"
                    + (model.optimized() ? " (optimized for inference)" : " (as loaded)") + ", batching " + batching);
        } catch (RuntimeException e) {
            served = new ServedModel(d, null, null, ServedModel.State.FAILED, e.getMessage(), millisSince(start));
            LOG.warning("model " + d.name() + " version " + d.version() + " FAILED to load: " + e.getMessage());
        }
        models.computeIfAbsent(d.name(), n -> new ConcurrentHashMap<>()).put(d.version(), served);
        defaultVersions.merge(d.name(), d.version(), (a, b) -> compareVersions(a, b) >= 0 ? a : b);
        recordLoad(served);
    }

    private void recordLoad(ServedModel served) {
        ModelDescriptor d = served.descriptor();
        try {
            String[] digest = sha256(d.file());
            history.record(new ModelLoad(d.name(), d.version(), digest[0], Long.parseLong(digest[1]), device.str().getString(),
                    served.optimized(), served.error(), served.loadMillis(), settings.serverName()));
        } catch (RuntimeException | IOException e) {
            LOG.warning("could not record the load of " + d.name() + " in the database: " + e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        for (Map<String, ServedModel> versions : models.values()) {
            for (ServedModel m : versions.values()) {
                if (m.batcher() != null) {
                    m.batcher().close();
                }
                if (m.model() != null) {
                    m.model().close();
                }
            }
        }
        models.clear();
        LOG.info("models unloaded; JavaCPP native bytes " + Pointer.physicalBytes());
    }

    /** Checks the request against the model's signature and queues it; the future completes with this caller's rows. */
    public CompletableFuture<InferenceResult> infer(InferenceRequest request) {
        ServedModel served = find(request.model(), request.version());
        if (!served.ready()) {
            throw new ModelNotReadyException("model " + served.name() + " version " + served.version() + " is not ready: " + served.error());
        }
        List<TensorData> ordered = inSignatureOrder(served.descriptor(), request.inputs());
        long timeout = served.descriptor().timeoutMillis().orElse(settings.timeoutMillis());
        return served.batcher().submit(ordered)
                .orTimeout(timeout, TimeUnit.MILLISECONDS)
                .handle((outputs, failure) -> {
                    if (failure == null) {
                        return new InferenceResult(served.name(), served.version(), outputs, (int) ordered.get(0).rows());
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

    public ServedModel find(String name, Optional<String> version) {
        Map<String, ServedModel> versions = models.get(name);
        if (versions == null) {
            throw new ModelNotFoundException("model '" + name + "' is not known to this server");
        }
        String v = version.filter(s -> !s.isEmpty()).orElse(defaultVersions.get(name));
        ServedModel served = versions.get(v);
        if (served == null) {
            throw new ModelNotFoundException("model '" + name + "' has no version '" + v + "'; it has " + versions.keySet());
        }
        return served;
    }

    public Collection<ServedModel> all() {
        return models.values().stream().flatMap(v -> v.values().stream()).toList();
    }

    public List<ServedModel> readyModels() {
        return all().stream().filter(ServedModel::ready).toList();
    }

    /** True when every model of the store is loaded. */
    public boolean allReady() {
        return !models.isEmpty() && all().stream().allMatch(ServedModel::ready);
    }

    public String deviceName() {
        return device == null ? "none" : device.str().getString();
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static int compareVersions(String a, String b) {
        try {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    private static String[] sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            long n = in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String[]{HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()), Long.toString(n)};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
