package dev.seraphim.api.health;

import dev.seraphim.inference.status.ServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.bytedeco.javacpp.Pointer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Alive while the engine answers; reports the native memory libtorch holds through JavaCPP. */
@Liveness
@ApplicationScoped
public class EngineLiveness implements HealthCheck {
    @Inject
    ServingStatus engine;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("inference-engine").up()
                .withData("device", engine.device())
                .withData("javacpp_physical_bytes", Pointer.physicalBytes())
                .withData("javacpp_total_bytes", Pointer.totalBytes())
                .build();
    }
}
