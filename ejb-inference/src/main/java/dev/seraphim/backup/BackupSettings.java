package dev.seraphim.backup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;

/** Where backups go, what they copy, and how many are kept. */
@ApplicationScoped
public class BackupSettings {
    @Inject
    @ConfigProperty(name = "seraphim.backup.dir", defaultValue = ".seraphim/backups")
    String directory;

    @Inject
    @ConfigProperty(name = "seraphim.registry.store", defaultValue = ".seraphim/models")
    String modelStore;

    @Inject
    @ConfigProperty(name = "seraphim.backup.keep", defaultValue = "7")
    int keep;

    @Inject
    @ConfigProperty(name = "seraphim.backup.max.age.days", defaultValue = "7")
    int maxAgeDays;

    public Path directory() {
        return Path.of(directory).toAbsolutePath().normalize();
    }

    public Path modelStore() {
        return Path.of(modelStore).toAbsolutePath().normalize();
    }

    public int keep() {
        return keep;
    }

    public int maxAgeDays() {
        return maxAgeDays;
    }
}
