package dev.seraphim.api.health;

import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.status.ServedVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/** Ready (and started) when every model of the model store is loaded; reports each model's state. */
@Readiness
@Startup
@ApplicationScoped
public class ModelsHealth implements HealthCheck {
    @Inject
    ServingStatus engine;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("models").status(engine.allReady()).withData("device", engine.device());
        // a model serving versions but no default stays ready (its versions answer; every replica shares the state,
        // so DOWN would take them all out), and is named here and as degraded in /api/v1/health
        var withoutDefault = engine.modelsWithoutDefault();
        if (!withoutDefault.isEmpty()) {
            builder.withData("models_without_default", String.join(",", withoutDefault));
        }
        for (ServedVersion m : engine.versions()) {
            builder.withData(m.name() + ":" + m.version(), m.state() + (m.error() != null ? " " + m.error() : ""));
        }
        return builder.build();
    }
}
