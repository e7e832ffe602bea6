package dev.seraphim.api.health;

import dev.seraphim.registry.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ready while the registry's model store is writable, has more free space than the threshold, and still holds
 * the file of every loaded version (a version whose file is gone could not be loaded again: by another
 * replica, or here after a restart).
 */
@Readiness
@ApplicationScoped
public class ModelStoreHealth implements HealthCheck {
    @Inject
    RegistrySettings settings;

    @Inject
    @ConfigProperty(name = "seraphim.health.store.min.free.bytes", defaultValue = "1073741824")
    long minFreeBytes;

    @Inject
    dev.seraphim.inference.status.ServingStatus engine;

    @Override
    public HealthCheckResponse call() {
        Path store = settings.store();
        long free = -1;
        boolean writable = false;
        String problem = null;
        try {
            Files.createDirectories(store);
            Path probe = Files.createTempFile(store, ".health-", ".probe");
            Files.delete(probe);
            writable = true;
            free = Files.getFileStore(store).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            problem = "the model store cannot be written";
        }
        java.util.List<String> missing = engine.versionsWithoutTheirFile();
        boolean up = writable && free >= minFreeBytes && missing.isEmpty();
        var b = HealthCheckResponse.named("model-store").status(up).withData("writable", writable)
                .withData("free_bytes", free).withData("min_free_bytes", minFreeBytes);
        if (problem != null) {
            b.withData("problem", problem);
        } else if (!missing.isEmpty()) {
            b.withData("problem", "model files missing for " + String.join(", ", missing));
        } else if (!up) {
            b.withData("problem", "free space below seraphim.health.store.min.free.bytes");
        }
        return b.build();
    }
}
