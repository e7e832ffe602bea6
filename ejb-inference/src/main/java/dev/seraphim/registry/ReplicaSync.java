package dev.seraphim.registry;

import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.platform.database.Database;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dev.seraphim.registry.RegistryChanges.SYSTEM;

/**
 * Makes this replica serve what the registry in PostgreSQL says, at start and every sync interval: wanted
 * versions loaded, the rest unloaded, the defaults followed, a model left without a default repaired. A change
 * made through one replica so reaches every replica on the same database.
 */
final class ReplicaSync {
    private static final Logger LOG = Logger.getLogger(ReplicaSync.class.getName());

    private final ModelRegistry registry;
    private final InferenceEngine engine;
    private final ArtifactStore artifacts;
    private final Database database;
    private final RegistryChanges changes;
    private final StoredArtifacts stored;

    /** versions per state in the registry, as of the last sync: the figure behind seraphim_model_versions */
    private volatile Map<VersionState, Long> versionsByState = Map.of();

    ReplicaSync(ModelRegistry registry, InferenceEngine engine, ArtifactStore artifacts, Database database, RegistryChanges changes,
                StoredArtifacts stored) {
        this.stored = stored;
        this.registry = registry;
        this.engine = engine;
        this.artifacts = artifacts;
        this.database = database;
        this.changes = changes;
    }

    Map<VersionState, Long> versionsByState() {
        return versionsByState;
    }

    /** Makes this server serve what the registry says: load wanted versions, unload the rest, follow the defaults. */
    void reconcile() {
        changes.locked(() -> {
            List<ModelVersion> all = registry.allVersions();
            refreshRegistered(all);
            stored.publishMissing(all);
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
            List<RegisteredModel> models = registry.models();
            for (RegisteredModel m : models) {
                Optional<String> wanted = m.defaultVersion().or(() -> recoverDefault(m, all));
                if (wanted.isPresent() && engine.loaded(m.name(), wanted.get()).isPresent()) {
                    if (!wanted.equals(engine.defaultVersion(m.name()))) {
                        engine.setDefault(m.name(), wanted.get());
                    }
                } else if (wanted.isEmpty()) {
                    engine.clearDefault(m.name());
                }
            }
            engine.traffic(policies(models));
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
    Optional<String> recoverDefault(RegisteredModel m, List<ModelVersion> all) {
        Optional<ModelVersion> newest = all.stream()
                .filter(v -> v.model().name().equals(m.name()) && v.wantedLoaded() && v.state() == VersionState.READY)
                .max(java.util.Comparator.comparing(ModelVersion::createdAt));
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        String version = newest.get().version();
        try {
            changes.audited(SYSTEM, "set-default", m.name(), version, "recovered: the model had loaded versions but no default", () -> {
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
            fetchIfMissing(v);
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

    /** The version's file from the database when this replica's store lacks it; a failure leaves the load to report the file missing. */
    void fetchIfMissing(ModelVersion v) {
        try {
            stored.fetchIfMissing(v);
        } catch (RuntimeException e) {
            LOG.warning(e.getMessage());
        }
    }

    /** The model's stored traffic policy; one that cannot be read is logged and ignored (its model then takes its default). */
    static Optional<dev.seraphim.traffic.TrafficPolicy> policy(RegisteredModel m) {
        try {
            return m.traffic().map(json -> dev.seraphim.traffic.TrafficPolicy.stored(json, m.defaultVersion()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the traffic policy of model " + m.name() + " cannot be read; its requests go to the default version", e);
            return Optional.empty();
        }
    }

    /** This server's traffic policies from the registry now, without waiting for the next sync. */
    void refreshTraffic() {
        engine.traffic(policies(registry.models()));
    }

    private static java.util.Map<String, dev.seraphim.traffic.TrafficPolicy> policies(List<RegisteredModel> models) {
        java.util.Map<String, dev.seraphim.traffic.TrafficPolicy> traffic = new java.util.HashMap<>();
        for (RegisteredModel m : models) {
            policy(m).ifPresent(p -> traffic.put(m.name(), p));
        }
        return traffic;
    }

    void refreshRegistered() {
        refreshRegistered(registry.allVersions());
    }

    private void refreshRegistered(List<ModelVersion> all) {
        versionsByState = all.stream().collect(java.util.stream.Collectors.groupingBy(ModelVersion::state,
                java.util.stream.Collectors.counting()));
        engine.registered(all.stream().collect(java.util.stream.Collectors.groupingBy(v -> v.model().name(),
                java.util.stream.Collectors.mapping(ModelVersion::version, java.util.stream.Collectors.toSet()))));
    }

    private volatile boolean databaseDown;

    void reconcileQuietly() {
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

}
