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

    private RegistryChanges changes;
    private ArtifactStore artifacts;
    private ReplicaSync replicas;
    private StoredArtifacts stored;

    @Resource(lookup = "jdbc/seraphim")
    javax.sql.DataSource dataSource;
    private ScheduledFuture<?> sync;

    @PostConstruct
    void start() {
        artifacts = new ArtifactStore(settings.store());
        artifacts.clearStaging();
        changes = new RegistryChanges(registry, engineSettings.serverName());
        stored = new StoredArtifacts(dataSource, artifacts, settings.artifactsInDatabase(), settings.maxUploadBytes());
        replicas = new ReplicaSync(registry, engine, artifacts, database, changes, stored);
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
            metrics.gauge(versions, () -> replicas.versionsByState().getOrDefault(state, 0L),
                    new org.eclipse.microprofile.metrics.Tag("state", state.name()));
        }
        DemoStoreImport demo = new DemoStoreImport(registry, artifacts, settings, metrics, changes);
        try {
            demo.importIfEmpty();
            replicas.reconcile();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "could not read the model registry; serving nothing until the database answers", e);
        }
        engine.started();
        sync = scheduler.scheduleWithFixedDelay(replicas::reconcileQuietly, settings.syncIntervalMillis(),
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
        return replicas.versionsByState();
    }

    public ArtifactStore artifacts() {
        return artifacts;
    }

    /**
     * Receives an upload into the store's {@code .staging} (within the upload limit), outside the registry's lock:
     * a slow upload holds up no other change. An upload cut short leaves nothing (or, on a kill -9, a file that the
     * next start clears).
     */
    public ArtifactStore.Staged stage(InputStream upload) throws IOException {
        return artifacts.stage(upload, settings.maxUploadBytes());
    }

    /** The largest model file accepted, for callers that stage through {@link #artifacts()} themselves. */
    public long maxUploadBytes() {
        return settings.maxUploadBytes();
    }

    public ModelVersion register(InputStream file, ModelRegistration r) throws IOException {
        return register(stage(file), r);
    }

    /** Registers a staged upload; the staged file is consumed (moved into the store or deleted) whatever happens. */
    public ModelVersion register(ArtifactStore.Staged staged, ModelRegistration r) {
        return changes.locked(() -> {
            ArtifactStore.Staged model = staged;
            String fileName = "model.pt";
            try {
                Optional<ModelArchive.Manifest> mar = ModelArchive.manifest(staged.file());
                String name = r.name().or(() -> mar.flatMap(ModelArchive.Manifest::modelName)).orElse(null);
                if (name == null || !ModelDescriptors.MODEL_NAME.matcher(name).matches()) {
                    throw new InvalidArtifactException("metadata 'name' is required and must match " + ModelDescriptors.MODEL_NAME.pattern());
                }
                String version = r.version().orElseGet(() -> registry.nextVersion(name));
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
                ModelDescriptor d = r.bind(name, version, model.file());
                if (mar.isPresent() && !r.declaresHandler()) {
                    d = d.withHandler(MarHandlers.of(mar.get(), staged.file(), d));
                }
                boolean probe = r.signatureCheck();
                Optional<String> mismatch = engine.signatureMismatch(d, probe);
                if (mismatch.isPresent()) {
                    throw new InvalidArtifactException(mismatch.get());
                }
                ModelVersion.Artifact artifact = artifacts.commit(model, name, version, fileName);
                String registeredName = name;
                String registeredVersion = version;
                try {
                    // before the registry row: a version other replicas see always has its file in the database
                    stored.publish(artifact.sha256(), artifacts.root().resolve(artifact.relativePath()));
                    String description = r.description().orElse(null);
                    registry.register(d, description, r.owner().orElse(r.actor()), description, artifact,
                            r.labelsJson().orElse(null), r.metricsJson().orElse(null), r.actor());
                } catch (RuntimeException e) {
                    artifacts.delete(artifact.relativePath());
                    try {
                        stored.forgetUnlessUsed(artifact.sha256(), registry.allVersions());
                    } catch (RuntimeException ignored) {
                        // the database failing: the orphan copy goes with the next delete of that digest
                    }
                    throw e;
                }
                registry.audit(r.actor(), "register", registeredName, registeredVersion, "sha256 " + artifact.sha256() + ", "
                        + artifact.bytes() + " bytes" + (mar.isPresent() ? " from a .mar" + MarHandlers.note(mar.get(), d) : "")
                        + (probe ? ", signature checked on a sample input" : ", signature not checked (signature_check false)"),
                        null, engineSettings.serverName());
                if (r.load()) {
                    loadLocked(registeredName, registeredVersion, r.actor());
                }
                replicas.refreshRegistered();
                return registry.version(registeredName, registeredVersion);
            } finally {
                artifacts.discard(staged);
                if (model != staged) {
                    artifacts.discard(model);
                }
            }
        });
    }

    public ModelVersion load(String name, String version, String actor) {
        return changes.locked(() -> {
            loadLocked(name, version, actor);
            return registry.version(name, version);
        });
    }

    private void loadLocked(String name, String version, String actor) {
        changes.audited(actor, "load", name, version, null, () -> {
            ModelVersion v = registry.want(name, version, true, actor);
            replicas.fetchIfMissing(v);
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
        return changes.locked(() -> changes.audited(actor, "unload", name, version, null, () -> {
            registry.want(name, version, false, actor);
            engine.unload(name, version);
            registry.unloaded(name, version, actor);
            return registry.version(name, version);
        }));
    }

    public RegisteredModel setDefault(String name, String version, String actor) {
        return changes.locked(() -> changes.audited(actor, "set-default", name, version, null, () -> {
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
        return changes.locked(() -> changes.audited(actor, "rollback", name, null, null, () -> {
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
        return changes.locked(() -> changes.audited(actor, "update", name, version, "max_batch_size=" + maxBatchSize + " max_batch_delay_ms="
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

    /**
     * The model's traffic policy (docs/rollouts.md), checked against its loaded versions first (400 naming the problem,
     * nothing changed); applied here at once and by the other replicas at their next sync.
     */
    public RegisteredModel setTraffic(String name, jakarta.json.JsonObject policy, String actor) {
        String detail = policy.toString();
        return changes.locked(() -> changes.audited(actor, "traffic", name, null, detail.length() > 200 ? detail.substring(0, 200) + "…" : detail, () -> {
            RegisteredModel m = registry.requireModel(name);
            java.util.Set<String> loaded = new java.util.TreeSet<>();
            for (ModelVersion v : registry.allVersions()) {
                if (v.model().name().equals(name) && v.wantedLoaded() && v.state() == VersionState.READY) {
                    loaded.add(v.version());
                }
            }
            dev.seraphim.traffic.TrafficPolicy checked;
            try {
                checked = dev.seraphim.traffic.TrafficPolicy.fromJson(policy, m.defaultVersion(), loaded);
            } catch (IllegalArgumentException e) {
                throw new InvalidArtifactException(e.getMessage());
            }
            RegisteredModel changed = registry.setTraffic(name, checked.toJson().toString());
            replicas.refreshTraffic();
            return changed;
        }));
    }

    /** The model's traffic policy removed: every unversioned request to its default again. */
    public RegisteredModel clearTraffic(String name, String actor) {
        return changes.locked(() -> changes.audited(actor, "traffic", name, null, "cleared: every request to the default version", () -> {
            RegisteredModel changed = registry.setTraffic(name, null);
            replicas.refreshTraffic();
            return changed;
        }));
    }

    /** A version's handler set ({@code handler} an object), or removed (JSON null); checked against its signature first. */
    public ModelVersion changeHandler(String name, String version, jakarta.json.JsonValue handler, String actor) {
        String what = handler == null || handler == jakarta.json.JsonValue.NULL ? "handler removed"
                : "handler " + (handler instanceof jakarta.json.JsonObject h ? h.getString("type", "?") : "?");
        return changes.locked(() -> changes.audited(actor, "update", name, version, what, () -> {
            ModelDescriptor checked;
            try {
                checked = registry.version(name, version).descriptorWithHandler(artifacts.root(), handler);
            } catch (IllegalArgumentException e) {
                throw new InvalidArtifactException(e.getMessage());
            }
            ModelVersion v = registry.changeHandler(name, version, checked, actor);
            engine.reconfigure(v.descriptor(artifacts.root()));
            return v;
        }));
    }

    public void delete(String name, String version, boolean force, String actor) {
        changes.locked(() -> changes.audited(actor, "delete", name, version, force ? "forced" : null, () -> {
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
            stored.forgetUnlessUsed(v.artifactSha256(), registry.allVersions());
            if (isDefault) {
                // the model keeps serving unversioned requests when it has another loaded version
                registry.model(name).flatMap(m -> replicas.recoverDefault(m, registry.allVersions()))
                        .ifPresent(d -> engine.setDefault(name, d));
            }
            replicas.refreshRegistered();
            return null;
        }));
    }

    public List<String> archive(String name, Duration olderThan, String actor) {
        return changes.locked(() -> changes.audited(actor, "archive", name, null, "older than " + olderThan, () ->
                registry.archive(name, OffsetDateTime.now().minus(olderThan), actor)));
    }
}
