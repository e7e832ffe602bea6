package dev.seraphim.api.metrics;

import dev.seraphim.inference.engine.InferenceEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import java.time.Duration;
import java.util.Optional;

/**
 * Requests counted by model, version, outcome and API, and their latency per model and version. Model names
 * that the server does not serve are counted as "_unknown", so that callers cannot mint new time series.
 */
@ApplicationScoped
public class RequestMetrics {
    public static final String UNKNOWN = "_unknown";

    @Inject
    MetricRegistry registry;

    @Inject
    InferenceEngine engine;

    private static final Metadata REQUESTS = Metadata.builder().withName("seraphim_inference_requests")
            .withDescription("Inference requests by model, version, outcome and API").build();
    private static final Metadata DURATION = Metadata.builder().withName("seraphim_inference_request_duration")
            .withDescription("Inference request latency, body parsing to response, per model and version")
            .withUnit(MetricUnits.SECONDS).build();

    public void record(String api, String model, String version, String outcome, long startNanos) {
        boolean known = model != null && engine.all().stream().anyMatch(m -> m.name().equals(model));
        String m = known ? model : UNKNOWN;
        String v = "";
        if (known) {
            // a request that named no version was meant for the default one
            v = version != null ? version : engine.find(model, Optional.empty()).version();
            String asked = v;
            if (engine.all().stream().noneMatch(s -> s.name().equals(model) && s.version().equals(asked))) {
                v = UNKNOWN;
            }
        }
        registry.counter(REQUESTS, new Tag("model", m), new Tag("version", v), new Tag("outcome", outcome), new Tag("api", api)).inc();
        registry.timer(DURATION, new Tag("model", m), new Tag("version", v)).update(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
