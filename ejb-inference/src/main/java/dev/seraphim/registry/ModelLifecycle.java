package dev.seraphim.registry;

import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import dev.seraphim.inference.model.ModelStore;
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
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.persistence.OptimisticLockException;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.ZipFile;

/**
 * The lifecycle of model versions: register, load, unload, set the default, roll back, change settings,
 * delete, archive, each recorded in the audit. The registry in PostgreSQL says what should be loaded and which
 * version is the default; this bean makes this server match it at start and every few seconds after, so that
 * a change made through one server reaches every server on the same database. Changes on one server are made
 * one at a time.
 */
@Singleton
@Startup
@DependsOn("InferenceEngine")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ModelLifecycle {
    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class.getName());
    static final String SYSTEM = "system";
    private static final org.eclipse.microprofile.metrics.Metadata STORE_REJECTED = org.eclipse.microprofile.metrics.Metadata
            .builder().withName("seraphim_model_store_rejected")
            .withDescription("Models of the model-store directory not imported: descriptor unreadable, or import failed").build();

    @Inject
    ModelRegistry registry;

    @Inject
    InferenceEngine engine;

    @Inject
    RegistrySettings settings;

    @Inject
    dev.seraphim.platform.database.Database database;

    @Inject
    dev.seraphim.inference.engine.EngineSettings engineSettings;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    org.eclipse.microprofile.metrics.MetricRegistry metrics;

    /** versions per state in the registry, as of the last sync: the figure behind seraphim_model_versions */
    private volatile java.util.Map<VersionState, Long> versionsByState = java.util.Map.of();

    private final ReentrantLock changes = new ReentrantLock();
    private ArtifactStore artifacts;
    private ScheduledFuture<?> sync;

    @PostConstruct
    void start() {
        artifacts = new ArtifactStore(settings.store());
        artifacts.clearStaging();
        var versions = org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_model_versions")
                .withDescription("Model versions in the registry by lifecycle state").build();
        metrics.gauge(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_model_store_free")
                .withUnit(org.eclipse.microprofile.metrics.MetricUnits.BYTES)
                .withDescription("Usable space left where the registry keeps model files").build(), () -> {
                    try {
                        return java.nio.file.Files.getFileStore(settings.store()).getUsableSpace();
                    } catch (IOException e) {
                        return -1L;
                    }
                });
        for (VersionState state : VersionState.values()) {
            metrics.gauge(versions, () -> versionsByState.getOrDefault(state, 0L),
                    new org.eclipse.microprofile.metrics.Tag("state", state.name()));
        }
        for (String stage : List.of("descriptor", "import")) {
            metrics.counter(STORE_REJECTED, new org.eclipse.microprofile.metrics.Tag("stage", stage));
        }
        try {
            importDemoStoreIfEmpty();
            reconcile();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "could not read the model registry; serving nothing until the database answers", e);
        }
        engine.started();
        sync = scheduler.scheduleWithFixedDelay(this::reconcileQuietly, settings.syncIntervalMillis(),
                settings.syncIntervalMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (sync != null) {
            sync.cancel(false);
        }
    }

    /** Versions per state in the registry as of the last sync (every few seconds). */
    public java.util.Map<VersionState, Long> versionsByState() {
        return versionsByState;
    }

    public ArtifactStore artifacts() {
        return artifacts;
    }

    /**
     * First start on an empty registry: the models of the model-store directory become version 1, loaded, default.
     * A descriptor that cannot be read, or a model that cannot be imported, is logged and counted in
     * seraphim_model_store_rejected_total and costs only itself: the others are imported.
     */
    private void importDemoStoreIfEmpty() {
        if (!registry.empty()) {
            return;
        }
        ModelStore.Scan demo;
        try {
            demo = new ModelStore(settings.demoStore()).scan();
        } catch (IOException e) {
            LOG.warning("no models imported: " + e.getMessage());
            return;
        }
        for (String reason : demo.rejected()) {
            rejectedFromStore("descriptor", reason);
        }
        int imported = 0;
        for (ModelDescriptor d : demo.models()) {
            try {
                audited(SYSTEM, "import", d.name(), d.version(), "from the demo model store", () -> {
                    ArtifactStore.Staged staged = artifacts.stage(d.file(), Long.MAX_VALUE);
                    ModelVersion.Artifact artifact = artifacts.commit(staged, d.name(), d.version(), d.file().getFileName().toString());
                    registry.register(d, null, SYSTEM, "imported from the model store", artifact, null, null, SYSTEM);
                    registry.want(d.name(), d.version(), true, SYSTEM);
                    registry.setDefault(d.name(), d.version());
                    return null;
                });
                imported++;
            } catch (RuntimeException e) {
                rejectedFromStore("import", "model " + d.name() + " version " + d.version() + " not imported: " + reason(e));
            }
        }
        LOG.info("imported " + imported + " models from " + settings.demoStore() + " into the registry"
                + (demo.rejected().isEmpty() && imported == demo.models().size() ? ""
                        : "; " + (demo.rejected().size() + demo.models().size() - imported) + " rejected (logged above)"));
    }

    private void rejectedFromStore(String stage, String reason) {
        LOG.warning("model store: " + reason);
        metrics.counter(STORE_REJECTED, new org.eclipse.microprofile.metrics.Tag("stage", stage)).inc();
    }

    /** What a registration carries besides the file. */
    public record Registration(JsonObject metadata, String fileName, String actor) {
    }

    public ModelVersion register(InputStream file, Registration r) {
        return locked(() -> {
            JsonObject m = r.metadata();
            ArtifactStore.Staged staged = artifacts.stage(file, settings.maxUploadBytes());
            ArtifactStore.Staged model = staged;
            String fileName = "model.pt";
            try {
                Optional<ModelArchive.Manifest> mar = ModelArchive.manifest(staged.file());
                String name = m.getString("name", mar.flatMap(ModelArchive.Manifest::modelName).orElse(null));
                if (name == null || !ModelDescriptors.MODEL_NAME.matcher(name).matches()) {
                    throw new InvalidArtifactException("metadata 'name' is required and must match " + ModelDescriptors.MODEL_NAME.pattern());
                }
                String version = m.getString("version", null);
                if (version == null) {
                    version = registry.nextVersion(name);
                }
                if (registry.findVersion(name, version).isPresent()) {
                    throw new RegistryConflictException("model " + name + " already has a version " + version);
                }
                if (mar.isPresent()) {
                    ZipFile[] zip = new ZipFile[1];
                    try (InputStream in = ModelArchive.open(staged.file(), mar.get().serializedFile(), zip)) {
                        model = artifacts.stage(in, settings.maxUploadBytes());
                    } finally {
                        if (zip[0] != null) {
                            zip[0].close();
                        }
                    }
                }
                ModelDescriptor d;
                try {
                    d = ModelDescriptors.fromJson(m, name, version, model.file());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new InvalidArtifactException("metadata: " + e.getMessage());
                }
                boolean probe = m.getBoolean("signature_check", true);
                Optional<String> mismatch = engine.signatureMismatch(d, probe);
                if (mismatch.isPresent()) {
                    throw new InvalidArtifactException(mismatch.get());
                }
                ModelVersion.Artifact artifact = artifacts.commit(model, name, version, fileName);
                String registeredName = name;
                String registeredVersion = version;
                try {
                    registry.register(d, m.getString("description", null), m.getString("owner", r.actor()),
                            m.getString("description", null), artifact, json(m, "labels"), json(m, "metrics"), r.actor());
                } catch (RuntimeException e) {
                    artifacts.delete(artifact.relativePath());
                    throw e;
                }
                registry.audit(r.actor(), "register", registeredName, registeredVersion, "sha256 " + artifact.sha256() + ", "
                        + artifact.bytes() + " bytes" + (mar.isPresent() ? " from a .mar" : "")
                        + (probe ? ", signature checked on a sample input" : ", signature not checked (signature_check false)"),
                        null, engineSettings.serverName());
                if (m.getBoolean("load", true)) {
                    loadLocked(registeredName, registeredVersion, r.actor());
                }
                refreshRegistered();
                return registry.version(registeredName, registeredVersion);
            } finally {
                artifacts.discard(staged);
                if (model != staged) {
                    artifacts.discard(model);
                }
            }
        });
    }

    private static String json(JsonObject m, String key) {
        return m.containsKey(key) && !m.isNull(key) ? m.get(key).toString() : null;
    }

    public ModelVersion load(String name, String version, String actor) {
        return locked(() -> {
            loadLocked(name, version, actor);
            return registry.version(name, version);
        });
    }

    private void loadLocked(String name, String version, String actor) {
        audited(actor, "load", name, version, null, () -> {
            ModelVersion v = registry.want(name, version, true, actor);
            ServedModel served = engine.load(v.descriptor(artifacts.root()), Optional.of(v.artifactSha256()));
            if (!served.ready()) {
                registry.failed(name, version, served.error(), actor);
                throw new ModelLoadFailedException("version " + version + " of " + name + " failed to load: " + served.error());
            }
            if (registry.loadedDefaultingIfNone(name, version, actor)) {
                engine.setDefault(name, version);
            }
            return null;
        });
    }

    public ModelVersion unload(String name, String version, String actor) {
        return locked(() -> audited(actor, "unload", name, version, null, () -> {
            registry.want(name, version, false, actor);
            engine.unload(name, version);
            registry.unloaded(name, version, actor);
            return registry.version(name, version);
        }));
    }

    public RegisteredModel setDefault(String name, String version, String actor) {
        return locked(() -> audited(actor, "set-default", name, version, null, () -> {
            registry.version(name, version);
            if (engine.loaded(name, version).isEmpty()) {
                throw new RegistryConflictException("version " + version + " of " + name + " is not loaded; load it first");
            }
            registry.setDefault(name, version);
            engine.setDefault(name, version);
            return registry.requireModel(name);
        }));
    }

    public RegisteredModel rollBack(String name, String actor) {
        return locked(() -> audited(actor, "rollback", name, null, null, () -> {
            RegisteredModel m = registry.requireModel(name);
            String target = m.previousDefaultVersion().orElseThrow(() -> new RegistryConflictException(
                    "model " + name + " has no previous default version to roll back to"));
            if (engine.loaded(name, target).isEmpty()) {
                throw new RegistryConflictException("the previous default version " + target + " of " + name + " is not loaded; load it first");
            }
            registry.rollBack(name);
            engine.setDefault(name, target);
            return registry.requireModel(name);
        }));
    }

    public ModelVersion changeSettings(String name, String version, Integer maxBatchSize, Integer maxBatchDelayMs,
                                       Integer queueCapacity, Integer workers, Integer intraOpThreads, String actor) {
        return locked(() -> audited(actor, "update", name, version, "max_batch_size=" + maxBatchSize + " max_batch_delay_ms="
                + maxBatchDelayMs + " queue_capacity=" + queueCapacity + " workers=" + workers
                + " intra_op_threads=" + (Integer.valueOf(ModelVersion.SERVER_DEFAULT_THREADS).equals(intraOpThreads) ? "default" : intraOpThreads), () -> {
            // everything is checked before anything is stored: a refused change leaves the version as it was (and
            // through the CDI settings, not the engine EJB, whose container would wrap the refusal in an EJBException)
            try {
                var batching = registry.version(name, version).descriptor(artifacts.root()).batching()
                        .with(maxBatchSize, maxBatchDelayMs, queueCapacity, workers);
                ModelDescriptors.checkBatching(batching);
                engineSettings.batching(batching);
                if (intraOpThreads != null && intraOpThreads != ModelVersion.SERVER_DEFAULT_THREADS) {
                    ModelDescriptors.checkIntraOpThreads(intraOpThreads);
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidArtifactException(e.getMessage());
            }
            ModelVersion v = registry.changeSettings(name, version, maxBatchSize, maxBatchDelayMs, queueCapacity, workers,
                    intraOpThreads, actor);
            engine.reconfigure(v.descriptor(artifacts.root()));
            return v;
        }));
    }

    public void delete(String name, String version, boolean force, String actor) {
        locked(() -> audited(actor, "delete", name, version, force ? "forced" : null, () -> {
            ModelVersion v = registry.version(name, version);
            boolean isDefault = v.model().defaultVersion().map(version::equals).orElse(false);
            boolean loaded = v.wantedLoaded() || engine.loaded(name, version).isPresent();
            if ((isDefault || loaded) && !force) {
                throw new RegistryConflictException("version " + version + " of " + name + " is "
                        + (isDefault ? "the default" : "loaded") + "; unload it or set another default first, or delete with force=true");
            }
            engine.unload(name, version);
            if (isDefault) {
                engine.clearDefault(name);
            }
            artifacts.delete(registry.delete(name, version));
            if (isDefault) {
                // the model keeps serving unversioned requests when it has another loaded version
                registry.model(name).flatMap(m -> recoverDefault(m, registry.allVersions()))
                        .ifPresent(d -> engine.setDefault(name, d));
            }
            refreshRegistered();
            return null;
        }));
    }

    public List<String> archive(String name, Duration olderThan, String actor) {
        return locked(() -> audited(actor, "archive", name, null, "older than " + olderThan, () ->
                registry.archive(name, OffsetDateTime.now().minus(olderThan), actor)));
    }

    /** Makes this server serve what the registry says: load wanted versions, unload the rest, follow the defaults. */
    public void reconcile() {
        locked(() -> {
            List<ModelVersion> all = registry.allVersions();
            refreshRegistered(all);
            boolean stateChanged = false;
            for (ModelVersion v : all) {
                try {
                    stateChanged |= reconcile(v);
                } catch (RuntimeException e) {
                    // one version the engine cannot take (settings stored before they were checked) must not stop the rest
                    LOG.log(Level.WARNING, "could not reconcile version " + v.version() + " of model " + v.model().name(), e);
                }
            }
            for (ServedModel served : engine.all()) {
                if (all.stream().noneMatch(v -> v.model().name().equals(served.name()) && v.version().equals(served.version()))) {
                    engine.unload(served.name(), served.version());
                }
            }
            for (RegisteredModel m : registry.models()) {
                Optional<String> wanted = m.defaultVersion().or(() -> recoverDefault(m, all));
                if (wanted.isPresent() && engine.loaded(m.name(), wanted.get()).isPresent()) {
                    if (!wanted.equals(engine.defaultVersion(m.name()))) {
                        engine.setDefault(m.name(), wanted.get());
                    }
                } else if (wanted.isEmpty()) {
                    engine.clearDefault(m.name());
                }
            }
            if (stateChanged) {
                // seraphim_model_versions must show a load at once, not at the next sync
                refreshRegistered();
            }
            return null;
        });
    }

    /**
     * A model with loaded versions but no default is a registration or a forced delete cut short (a kill -9
     * between the two writes of an older server): its newest READY version wanted loaded becomes the default,
     * audited, so that unversioned inference does not answer 503 for ever. Empty when it has none.
     */
    private Optional<String> recoverDefault(RegisteredModel m, List<ModelVersion> all) {
        Optional<ModelVersion> newest = all.stream()
                .filter(v -> v.model().name().equals(m.name()) && v.wantedLoaded() && v.state() == VersionState.READY)
                .max(java.util.Comparator.comparing(ModelVersion::createdAt));
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        String version = newest.get().version();
        try {
            audited(SYSTEM, "set-default", m.name(), version, "recovered: the model had loaded versions but no default", () -> {
                registry.setDefault(m.name(), version);
                return null;
            });
            LOG.warning("model " + m.name() + " had no default version; made its newest loaded version " + version + " the default");
            return Optional.of(version);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not make version " + version + " the default of " + m.name(), e);
            return Optional.empty();
        }
    }

    /** Makes this server match one version's record; true when that changed the version's state in the registry. */
    private boolean reconcile(ModelVersion v) {
        String name = v.model().name();
        boolean here = engine.loaded(name, v.version()).isPresent();
        if (v.wantedLoaded() && !here) {
            ServedModel served = engine.load(v.descriptor(artifacts.root()), Optional.of(v.artifactSha256()));
            if (!served.ready()) {
                registry.failed(name, v.version(), served.error(), SYSTEM);
                return v.state() != VersionState.FAILED;
            }
            if (v.state() != VersionState.READY) {
                registry.loadedDefaultingIfNone(name, v.version(), SYSTEM);
                return true;
            }
        } else if (!v.wantedLoaded() && here) {
            engine.unload(name, v.version());
        } else if (here) {
            engine.reconfigure(v.descriptor(artifacts.root()));
        }
        return false;
    }

    private void refreshRegistered() {
        refreshRegistered(registry.allVersions());
    }

    private void refreshRegistered(List<ModelVersion> all) {
        versionsByState = all.stream().collect(java.util.stream.Collectors.groupingBy(ModelVersion::state,
                java.util.stream.Collectors.counting()));
        engine.registered(all.stream().collect(java.util.stream.Collectors.groupingBy(v -> v.model().name(),
                java.util.stream.Collectors.mapping(ModelVersion::version, java.util.stream.Collectors.toSet()))));
    }

    private volatile boolean databaseDown;

    private void reconcileQuietly() {
        // while the database is away, loaded models keep serving: say so once, not at every sync
        if (database.ping().isEmpty()) {
            if (!databaseDown) {
                databaseDown = true;
                LOG.warning("registry sync paused: the database does not answer; loaded models keep serving");
            }
            return;
        }
        if (databaseDown) {
            databaseDown = false;
            LOG.info("registry sync resumed: the database answers again");
        }
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "registry sync failed: " + e.getMessage());
        }
    }

    public interface Step<T> {
        T run() throws IOException;
    }

    private <T> T audited(String actor, String action, String model, String version, String detail, Step<T> step) {
        try {
            T result = step.run();
            registry.audit(actor, action, model, version, detail, null, engineSettings.serverName());
            return result;
        } catch (IOException e) {
            registry.audit(actor, action, model, version, detail, e.getMessage(), engineSettings.serverName());
            throw new IllegalStateException("the model store could not be written: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            registry.audit(actor, action, model, version, detail, reason(e), engineSettings.serverName());
            throw e;
        }
    }

    /** A failure's own message, not the EJB container's wrapper around it. */
    private static String reason(RuntimeException e) {
        return e instanceof jakarta.ejb.EJBException && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
    }

    private <T> T locked(Step<T> step) {
        changes.lock();
        try {
            return step.run();
        } catch (IOException e) {
            throw new IllegalStateException("the model store could not be written: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof OptimisticLockException) {
                    throw new RegistryConflictException("the model was changed at the same time by another call; retry");
                }
            }
            throw e;
        } finally {
            changes.unlock();
        }
    }
}
