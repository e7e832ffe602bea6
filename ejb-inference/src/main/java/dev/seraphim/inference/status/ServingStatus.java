package dev.seraphim.inference.status;

import dev.seraphim.inference.batching.BatchFigures;
import dev.seraphim.inference.batching.BatchingSettings;
import dev.seraphim.inference.engine.GpuMemory;
import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.model.ModelDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * What the engine serves, read-only: the one place status views (health checks, the registry's and TorchServe's
 * descriptions, metrics' model labels) ask, so the web tier never holds the engine or its served models. Requests
 * themselves go through {@link dev.seraphim.inference.engine.InferenceGate}.
 */
@ApplicationScoped
public class ServingStatus {
    @Inject
    InferenceEngine engine;

    /** True once start-up loading is done and every model's default version is loaded. */
    public boolean allReady() {
        return engine.allReady();
    }

    /** The libtorch device the engine runs on ("cpu", "cuda:0"), "none" before it started. */
    public String device() {
        return engine.deviceName();
    }

    public boolean onGpu() {
        return engine.gpuIndex() >= 0;
    }

    /** The GPU's memory as libtorch's caching allocator holds it; empty on the CPU. */
    public Optional<GpuMemory.Usage> gpuMemory() {
        int gpu = engine.gpuIndex();
        return gpu < 0 ? Optional.empty() : GpuMemory.read(gpu);
    }

    /** Empties libtorch's CUDA cache; empty on the CPU, where there is none. */
    public Optional<GpuMemory.Usage> clearGpuCache() {
        return engine.clearGpuCache();
    }

    /** Models with a version loaded here but no default (unversioned requests to them answer 503), sorted. */
    public List<String> modelsWithoutDefault() {
        return engine.withoutDefault();
    }

    public List<ServedVersion> versions() {
        return engine.all().stream().map(this::view).toList();
    }

    /** Versions served here whose model file is no longer readable in the store ("name:version"). */
    public List<String> versionsWithoutTheirFile() {
        return engine.all().stream().filter(m -> m.descriptor().file() != null && !Files.isReadable(m.descriptor().file()))
                .map(m -> m.name() + ":" + m.version()).toList();
    }

    /** The models with a version ready here, sorted, each once. */
    public List<String> readyModels() {
        return engine.readyModels().stream().map(ServedModel::name).distinct().sorted().toList();
    }

    public Optional<ServedVersion> version(String model, String version) {
        return engine.loaded(model, version).map(this::view);
    }

    /** The batches a loaded version has run on this server, by size (for gRPC's ModelStatistics). */
    public Optional<ServedBatches> batches(String model, String version) {
        return engine.loaded(model, version).map(m -> {
            BatchFigures.Snapshot ran = m.batcher() == null ? BatchFigures.Snapshot.NONE : m.batcher().figures();
            return new ServedBatches(ran.sizes().stream().map(f -> new ServedBatches.Size(f.rows(), f.batches(), f.computeNanos())).toList(),
                    ran.lastBatchEpochMillis());
        });
    }

    /** Whether any version of the model is loaded here. */
    public boolean serves(String model) {
        return engine.serves(model);
    }

    public Optional<String> defaultVersion(String model) {
        return engine.defaultVersion(model);
    }

    /** The batching a version runs with (or would, once loaded): its own settings over the server's defaults. */
    public BatchingSettings batchingFor(ModelDescriptor d) {
        return engine.batchingFor(d);
    }

    public int intraOpThreadsFor(ModelDescriptor d) {
        return engine.intraOpThreadsFor(d);
    }

    private ServedVersion view(ServedModel m) {
        boolean isDefault = engine.defaultVersion(m.name()).map(m.version()::equals).orElse(false);
        return new ServedVersion(m.name(), m.version(), m.ready(), m.state().name(), m.error(), isDefault, m.queueDepth(),
                m.batcher() == null ? Long.MAX_VALUE : m.batcher().nanosSinceRejection(),
                m.batcher() == null ? engine.batchingFor(m.descriptor()) : m.batcher().settings(),
                m.intraOpThreads(), m.optimized(), m.preparation());
    }
}
