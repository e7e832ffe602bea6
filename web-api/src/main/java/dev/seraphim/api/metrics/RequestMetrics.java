package dev.seraphim.api.metrics;

import dev.seraphim.inference.engine.InferenceEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import java.time.Duration;

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

    private static final java.util.logging.Logger ACCESS = java.util.logging.Logger.getLogger("dev.seraphim.access");

    /** Counts and times one inference request and writes its access line (no input data, ever). */
    public void record(String api, String requestId, String model, String version, String outcome, int status,
                       dev.seraphim.inference.InferenceResult result, long startNanos) {
        record(api, model, result != null ? result.version() : version, outcome, startNanos);
        if (ACCESS.isLoggable(java.util.logging.Level.INFO)) {
            ACCESS.info(String.format(java.util.Locale.ROOT,
                    "inference request_id=%s api=%s model=%s version=%s status=%d outcome=%s batch_rows=%d queue_ms=%.3f compute_ms=%.3f duration_ms=%.3f",
                    requestId, api, model == null ? "-" : model.replaceAll("[^A-Za-z0-9._-]", "?"),
                    result != null ? result.version() : version == null ? "-" : version.replaceAll("[^A-Za-z0-9._-]", "?"),
                    status, outcome, result == null ? 0 : result.batchRows(), result == null ? 0 : result.queueNanos() / 1e6,
                    result == null ? 0 : result.computeNanos() / 1e6, (System.nanoTime() - startNanos) / 1e6));
        }
    }

    private void record(String api, String model, String version, String outcome, long startNanos) {
        // map lookups only: this runs on every request, and must never throw on the failure path
        String m = UNKNOWN;
        String v = "";
        if (model != null && engine.serves(model)) {
            m = model;
            // a request that named no version was meant for the default one
            String asked = version != null ? version : engine.defaultVersion(model).orElse(null);
            v = asked != null && engine.loaded(model, asked).isPresent() ? asked : UNKNOWN;
        }
        registry.counter(REQUESTS, new Tag("model", m), new Tag("version", v), new Tag("outcome", outcome), new Tag("api", api)).inc();
        registry.timer(DURATION, new Tag("model", m), new Tag("version", v)).update(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
