package dev.seraphim.jobs.drill;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The recovery drill's outcome as metrics, for an alert on a failed or missing drill:
 * {@code seraphim_recovery_drill_last_result} (1 passed, 0 failed, -1 none since start) and
 * {@code seraphim_recovery_drill_last_success_timestamp_seconds}.
 */
@ApplicationScoped
public class DrillResults {
    private final AtomicLong result = new AtomicLong(-1);
    private final AtomicLong lastSuccess = new AtomicLong(0);

    @Inject
    MetricRegistry metrics;

    void register(@Observes Startup startup) {
        metrics.gauge(Metadata.builder().withName("seraphim_recovery_drill_last_result")
                .withDescription("Outcome of the last recovery drill on this server: 1 passed, 0 failed, -1 none since start").build(),
                result, AtomicLong::get);
        metrics.gauge(Metadata.builder().withName("seraphim_recovery_drill_last_success_timestamp_seconds")
                .withDescription("Unix time of the last recovery drill that passed on this server (0: none since start)").build(),
                lastSuccess, AtomicLong::get);
    }

    void passed() {
        result.set(1);
        lastSuccess.set(System.currentTimeMillis() / 1000);
    }

    void failed() {
        result.set(0);
    }
}
