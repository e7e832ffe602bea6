package dev.seraphim.api.health;

import dev.seraphim.inference.engine.GpuMemory;
import dev.seraphim.inference.status.ServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/**
 * On a GPU: ready while libtorch's allocator statistics can be read and it reserves less than
 * {@code seraphim.health.gpu.max.reserved.bytes} (0, the default, sets no limit). On the CPU: UP, saying so.
 */
@Readiness
@ApplicationScoped
public class GpuMemoryHealth implements HealthCheck {
    @Inject
    ServingStatus engine;

    @Inject
    @ConfigProperty(name = "seraphim.health.gpu.max.reserved.bytes", defaultValue = "0")
    long maxReservedBytes;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("gpu-memory").withData("device", engine.device());
        if (!engine.onGpu()) {
            return b.up().withData("gpu", "not used").build();
        }
        Optional<GpuMemory.Usage> usage = engine.gpuMemory();
        if (usage.isEmpty()) {
            return b.down().withData("problem", "the CUDA allocator's statistics cannot be read").build();
        }
        long reserved = usage.get().reservedBytes();
        boolean up = maxReservedBytes <= 0 || reserved < maxReservedBytes;
        return b.status(up).withData("allocated_bytes", usage.get().allocatedBytes()).withData("reserved_bytes", reserved)
                .withData("max_reserved_bytes", maxReservedBytes).build();
    }
}
