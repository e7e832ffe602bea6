package dev.seraphim.api.health;

import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.status.ServedVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while any loaded version's queue is fuller than the threshold (default 90 %), or refused a request
 * for a full queue within the last window (default 5 s), so that a load balancer sends new work elsewhere; a
 * queue that fills and empties between two probes still shows.
 */
@Readiness
@ApplicationScoped
public class QueueHealth implements HealthCheck {
    @Inject
    ServingStatus engine;

    @Inject
    @ConfigProperty(name = "seraphim.health.queue.saturation", defaultValue = "0.9")
    double saturation;

    @Inject
    @ConfigProperty(name = "seraphim.health.queue.rejection.window.ms", defaultValue = "5000")
    long rejectionWindowMillis;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("inference-queues");
        boolean up = true;
        for (ServedVersion m : engine.versions()) {
            int capacity = m.batching().queueCapacity();
            double fill = (double) m.queueDepth() / capacity;
            boolean refused = m.refusedWithin(rejectionWindowMillis * 1_000_000L);
            if (fill >= saturation || refused) {
                up = false;
                b.withData(m.name() + ":" + m.version(), m.queueDepth() + "/" + capacity + (refused ? ", refused requests in the last "
                        + rejectionWindowMillis + " ms" : ""));
            }
        }
        return b.status(up).withData("saturation_threshold", Double.toString(saturation)).build();
    }
}
