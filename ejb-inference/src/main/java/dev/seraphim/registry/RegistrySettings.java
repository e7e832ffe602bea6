package dev.seraphim.registry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;

/** The registry's MicroProfile Config keys. */
@ApplicationScoped
public class RegistrySettings {
    @Inject
    @ConfigProperty(name = "seraphim.registry.store", defaultValue = ".seraphim/models")
    String store;

    @Inject
    @ConfigProperty(name = "seraphim.model.store", defaultValue = "model-store")
    String demoStore;

    @Inject
    @ConfigProperty(name = "seraphim.registry.max.upload.bytes", defaultValue = "1073741824")
    long maxUploadBytes;

    @Inject
    @ConfigProperty(name = "seraphim.registry.sync.interval.ms", defaultValue = "2000")
    long syncIntervalMillis;

    @Inject
    @ConfigProperty(name = "seraphim.registry.artifacts.in.database", defaultValue = "true")
    boolean artifactsInDatabase;

    public Path store() {
        return Path.of(store).toAbsolutePath().normalize();
    }

    public Path demoStore() {
        return Path.of(demoStore).toAbsolutePath().normalize();
    }

    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /** Whether model files are kept in PostgreSQL too, for replicas whose store lacks them (off where every replica mounts one shared store). */
    public boolean artifactsInDatabase() {
        return artifactsInDatabase;
    }

    public long syncIntervalMillis() {
        return syncIntervalMillis;
    }
}
