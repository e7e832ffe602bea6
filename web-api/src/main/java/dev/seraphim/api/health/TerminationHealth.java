package dev.seraphim.api.health;

import dev.seraphim.platform.shutdown.Termination;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from SIGTERM on: the balancer takes the replica out while it still answers (docs/scale-out.md). */
@Readiness
@ApplicationScoped
public class TerminationHealth implements HealthCheck {
    @Inject
    Termination termination;

    @Override
    public HealthCheckResponse call() {
        boolean draining = termination.draining();
        var b = HealthCheckResponse.named("termination").status(!draining);
        if (draining) {
            b.withData("draining", "SIGTERM received: requests are served until the drain delay ends, then the server stops");
        }
        return b.build();
    }
}
