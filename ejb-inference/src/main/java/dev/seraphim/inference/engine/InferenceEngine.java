package dev.seraphim.inference.engine;

import dev.seraphim.drift.InputStatisticsRecorder;
import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.platform.FileDigest;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.batching.BatchObserver;
import dev.seraphim.inference.batching.Batcher;
import dev.seraphim.inference.batching.BatchingSettings;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
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
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one owner of libtorch in the application: configures it at start, loads and unloads model versions as
 * the registry's lifecycle asks; inference requests reach each model's dynamic batcher through its
 * {@link InferenceGate}, which the web tier holds. Bean-managed concurrency: callers never queue on the bean
 * itself, only on the batchers.
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

    @Resource
    ManagedThreadFactory threadFactory;

    /** The server's default executor: batch workers hand their answers to it and go on to the next batch. */
    @Resource
    ManagedExecutorService answers;

    @Inject
    ModelLoadHistory history;

    @Inject
    BatchMetrics batchMetrics;

    @Inject
    InputStatisticsRecorder inputStatistics;

    private Device device;
    private GraphOptimization optimization;
    private volatile boolean started;
    /** model name → version → served model */
    private final Map<String, Map<String, ServedModel>> models = new ConcurrentHashMap<>();
    private final Map<String, String> defaultVersions = new ConcurrentHashMap<>();
    private InferenceGate gate;
    private IntraOpLane lane;

    @PostConstruct
    void start() {
        lane = new IntraOpLane(threadFactory, settings.lanes());
        ShadowTraffic[] shadows = new ShadowTraffic[1];
        // shadow forwards on the server's default executor, never the request's thread, at most shadowCapacity at once
        shadows[0] = new ShadowTraffic(settings.shadowCapacity(), answers, settings.timeoutMillis(),
                (model, version) -> batchMetrics.shadow(model, version, () -> shadows[0].figures(model, version)));
        gate = new InferenceGate(models, defaultVersions, settings.timeoutMillis(), inputStatistics.observer(), shadows[0]);
        device = TorchRuntime.configure(settings.device(), settings.intraOpThreads(), settings.interOpThreads());
        optimization = GraphOptimization.forThisMachine(settings.optimization(), device.is_cuda());
        if (optimization.mode() == GraphOptimization.Mode.GUARDED) {
            LOG.warning("a model whose optimized graph adds or multiplies MKLDNN tensors is prepared with freeze only, "
                    + "not optimize_for_inference: " + optimization.reason() + "; seraphim.inference.optimization=full overrides it");
        } else {
            LOG.info("models are prepared with " + (optimization.mode() == GraphOptimization.Mode.FREEZE ? "freeze" : "optimize_for_inference")
                    + " (" + optimization.reason() + ")");
        }
        batchMetrics.nativeMemory();
        if (device.is_cuda()) {
            batchMetrics.gpuMemory(deviceName(), gpuIndex());
        }
    }

    /** The CUDA device index the engine runs on, or -1 on the CPU. */
    public int gpuIndex() {
        return device != null && device.is_cuda() ? Math.max(0, device.index()) : -1;
    }

    /** Empties libtorch's CUDA cache (unused blocks back to the driver); empty on the CPU, where there is none. */
    public Optional<GpuMemory.Usage> clearGpuCache() {
        int gpu = gpuIndex();
        if (gpu < 0) {
            return Optional.empty();
        }
        LOG.info("emptying the CUDA caching allocator's unused blocks on device " + gpu);
        return GpuMemory.emptyCache(gpu);
    }

    /**
     * Loads a model version beside whatever is serving (verifying the file's sha256 first when one is given)
     * and starts serving it under its version; the default version does not change. A version that fails to
     * load is not served and the error says why; a version already loaded is replaced only after the new one
     * is ready.
     */
    public ServedModel load(ModelDescriptor d, Optional<String> expectedSha256) {
        long start = System.nanoTime();
        ServedModel served;
        try {
            if (expectedSha256.isPresent()) {
                String actual = FileDigest.of(d.file()).sha256();
                if (!actual.equals(expectedSha256.get())) {
                    throw new InferenceFailedException("the model file's sha256 is " + actual + ", the registry expects "
                            + expectedSha256.get() + "; the file was changed or damaged");
                }
            }
            int threads = settings.intraOpThreads(d);
            int cores = Runtime.getRuntime().availableProcessors();
            if (threads > 1 && threads * settings.lanes() > cores) {
                // the lanes' OpenMP teams would hold more threads than there are cores: OpenMP then throttles them
                LOG.warning("model " + d.name() + " version " + d.version() + " asks for " + threads + " intra-op threads on "
                        + settings.lanes() + " lanes and " + cores + " cores");
            }
            LoadedModel model = IntraOpLane.once(threadFactory, threads, () -> LoadedModel.load(d, device, threads, optimization));
            BatchingSettings batching = settings.batching(d.batching());
            Batcher batcher = new Batcher(d.name() + " version " + d.version(), d.inputs(), batching,
                    inputs -> lane.forward(model.intraOpThreads(), () -> model.forward(inputs)), executor, answers,
                    batchMetrics.observer(d.name(), d.version()), true);
            served = new ServedModel(d, model, batcher, ServedModel.State.READY, null, millisSince(start));
            LOG.info("model " + d.name() + " version " + d.version() + " READY in " + served.loadMillis() + " ms"
                    + " (" + model.preparation() + ")" + ", batching " + batching
                    + ", " + model.intraOpThreads() + " intra-op threads");
            ServedModel replaced = models.computeIfAbsent(d.name(), n -> new ConcurrentHashMap<>()).put(d.version(), served);
            batchMetrics.served(d.name(), d.version(), batcher, System.nanoTime() - start);
            if (replaced != null) {
                retire(replaced);
            }
        } catch (RuntimeException | IOException e) {
            String error = e instanceof IOException ? "cannot read the model file: " + e.getMessage() : e.getMessage();
            served = new ServedModel(d, null, null, ServedModel.State.FAILED, error, millisSince(start));
            LOG.warning("model " + d.name() + " version " + d.version() + " FAILED to load: " + error);
        }
        recordLoad(served);
        return served;
    }

    /**
     * Empty when libtorch loads the file and, unless {@code run} is false, the module answers a sample of the
     * declared inputs with the declared outputs; else what the registrant must fix. Nothing is served.
     */
    public Optional<String> signatureMismatch(ModelDescriptor d, boolean run) {
        return IntraOpLane.once(threadFactory, settings.intraOpThreads(d), () -> SignatureProbe.mismatch(d, device, run));
    }

    /** Stops serving a version: new requests no longer find it, queued ones finish, then libtorch's memory goes. */
    public void unload(String name, String version) {
        Map<String, ServedModel> versions = models.get(name);
        ServedModel served = versions == null ? null : versions.remove(version);
        if (served != null) {
            batchMetrics.retired(name, version);
            retire(served);
            LOG.info("model " + name + " version " + version + " unloaded");
        }
    }

    private void retire(ServedModel served) {
        served.batcher().drainAndClose(Duration.ofSeconds(30));
        served.model().close();
    }

    /** Switches the version that requests without a version get; one atomic step, in-flight requests unaffected. */
    public void setDefault(String name, String version) {
        ServedModel served = loaded(name, version).orElseThrow(() -> new ModelNotReadyException(
                "version " + version + " of model " + name + " is not loaded on this server"));
        defaultVersions.put(name, served.version());
    }

    public void clearDefault(String name) {
        defaultVersions.remove(name);
    }

    public Optional<String> defaultVersion(String name) {
        return Optional.ofNullable(defaultVersions.get(name));
    }

    /** Whether any version of the model is loaded here. */
    public boolean serves(String name) {
        Map<String, ServedModel> versions = models.get(name);
        return versions != null && !versions.isEmpty();
    }

    public Optional<ServedModel> loaded(String name, String version) {
        return Optional.ofNullable(models.get(name)).map(v -> v.get(version));
    }

    /** Applies a version's changed settings (as its descriptor now reads) from its next batch on, if it is loaded here. */
    public void reconfigure(ModelDescriptor d) {
        loaded(d.name(), d.version()).ifPresent(m -> {
            BatchingSettings batching = batchingFor(d);
            if (!m.batcher().settings().equals(batching)) {
                m.batcher().update(batching);
            }
            m.model().intraOpThreads(intraOpThreadsFor(d));
            boolean sameHandler = m.descriptor().handler().isEmpty() ? d.handler().isEmpty()
                    : d.handler().isPresent() && m.descriptor().handler().get().sameAs(d.handler().get());
            if (!sameHandler) {
                // a handler changed by PATCH: requests resolved from now on pre- and post-process with the new one
                models.get(d.name()).replace(d.version(), m, m.withDescriptor(m.descriptor().withHandler(d.handler())));
                LOG.info("handler of " + d.name() + " version " + d.version() + " is now " + d.handler().map(h -> h.type()).orElse("none"));
            }
        });
    }

    public BatchingSettings batchingFor(ModelDescriptor d) {
        return settings.batching(d.batching());
    }

    public int intraOpThreadsFor(ModelDescriptor d) {
        return settings.intraOpThreads(d);
    }

    /** Called once the models the registry wants are loaded; readiness waits for it. */
    public void started() {
        started = true;
        LOG.info("serving " + readyModels().size() + " model versions on " + deviceName() + "; JavaCPP native bytes "
                + Pointer.physicalBytes());
    }

    private void recordLoad(ServedModel served) {
        ModelDescriptor d = served.descriptor();
        try {
            FileDigest digest = FileDigest.of(d.file());
            history.record(new ModelLoad(d.name(), d.version(), digest.sha256(), digest.bytes(), device.str().getString(),
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
        defaultVersions.clear();
        dev.seraphim.inference.handler.Tokenizers.closeAll();
        lane.close();
        LOG.info("models unloaded; JavaCPP native bytes " + Pointer.physicalBytes());
    }

    /** The registry's versions of every model, loaded here or not. */
    public void registered(Map<String, Set<String>> versionsByModel) {
        gate.registered(versionsByModel);
    }

    /** The models' traffic policies (model → policy), as the registry holds them now. */
    public void traffic(Map<String, dev.seraphim.traffic.TrafficPolicy> policies) {
        gate.traffic(policies);
        if (!policies.equals(trafficShown)) {
            trafficShown = Map.copyOf(policies);
            batchMetrics.trafficWeights(policies);
        }
    }

    /** the policies last exported as seraphim_traffic_weight, so that an unchanged sync re-registers nothing */
    private volatile Map<String, dev.seraphim.traffic.TrafficPolicy> trafficShown = Map.of();

    /**
     * The request path (find a served model, check and queue a request) as a plain object over this engine's
     * tables: the web tier holds it and calls it without an EJB invocation per request; loading, unloading and
     * defaults still go through this bean. Injectable as an {@code InferenceGate}.
     */
    @Produces
    public InferenceGate gate() {
        return gate;
    }

    public Collection<ServedModel> all() {
        return models.values().stream().flatMap(v -> v.values().stream()).toList();
    }

    public List<ServedModel> readyModels() {
        return all().stream().filter(ServedModel::ready).toList();
    }

    /**
     * Models with a version loaded here but no default: unversioned requests to them answer 503. The registry's
     * sync repairs this within its interval; health names them meanwhile (degraded).
     */
    public List<String> withoutDefault() {
        return models.entrySet().stream().filter(e -> !e.getValue().isEmpty() && !defaultVersions.containsKey(e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** True once start-up loading is done and every model's default version is loaded. */
    public boolean allReady() {
        return started && defaultVersions.entrySet().stream().allMatch(e -> loaded(e.getKey(), e.getValue()).isPresent());
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
}
