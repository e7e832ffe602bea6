package dev.seraphim.jobs.drift;

import dev.seraphim.drift.DriftReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest drift check's figures as gauges on the server that ran it: {@code seraphim_drift_psi} per feature,
 * {@code seraphim_drift_max_psi} and {@code seraphim_drift_detected} (1 when over the threshold) per model
 * version. Prometheus takes the newest across servers; the reports themselves are in the database.
 */
@ApplicationScoped
public class DriftMetrics {
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    @Inject
    MetricRegistry metrics;

    void record(DriftReport r) {
        Tag model = new Tag("model", r.model());
        Tag version = new Tag("version", r.version());
        r.featurePsi().forEach((feature, psi) -> set("seraphim_drift_psi", "Population Stability Index of one input feature,"
                + " latest window against the reference, at the last drift check", psi, model, version, new Tag("feature", feature)));
        set("seraphim_drift_max_psi", "Largest feature PSI of the model version at the last drift check", r.maxPsi(), model, version);
        set("seraphim_drift_detected", "1 when the last drift check found a feature over the threshold, else 0",
                r.drifted() ? 1.0 : 0.0, model, version);
    }

    private void set(String name, String description, double value, Tag... tags) {
        StringBuilder key = new StringBuilder(name);
        for (Tag t : tags) {
            key.append('\u0000').append(t.getTagValue());
        }
        values.computeIfAbsent(key.toString(), k -> {
            AtomicReference<Double> holder = new AtomicReference<>(0.0);
            metrics.gauge(Metadata.builder().withName(name).withDescription(description).build(), holder, AtomicReference::get, tags);
            return holder;
        }).set(value);
    }
}
