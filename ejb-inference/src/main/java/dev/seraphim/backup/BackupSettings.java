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

    /** the model files a backup copies are the registry's: its setting, declared once */
    @Inject
    dev.seraphim.registry.RegistrySettings registry;

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
        return registry.store();
    }

    public int keep() {
        return keep;
    }

    public int maxAgeDays() {
        return maxAgeDays;
    }
}
