package dev.seraphim.drift;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Input statistics and drift check settings (docs/configuration.md). */
@ApplicationScoped
public class DriftSettings {
    @Inject
    @ConfigProperty(name = "seraphim.drift.enabled", defaultValue = "true")
    boolean enabled;

    @Inject
    @ConfigProperty(name = "seraphim.drift.reference.rows", defaultValue = "1000")
    int referenceRows;

    @Inject
    @ConfigProperty(name = "seraphim.drift.bins", defaultValue = "10")
    int bins;

    @Inject
    @ConfigProperty(name = "seraphim.drift.max.features", defaultValue = "64")
    int maxFeatures;

    @Inject
    @ConfigProperty(name = "seraphim.drift.flush.seconds", defaultValue = "15")
    int flushSeconds;

    @Inject
    @ConfigProperty(name = "seraphim.drift.window.minutes", defaultValue = "60")
    int windowMinutes;

    @Inject
    @ConfigProperty(name = "seraphim.drift.min.rows", defaultValue = "200")
    int minRows;

    @Inject
    @ConfigProperty(name = "seraphim.drift.threshold", defaultValue = "0.3")
    double threshold;

    @Inject
    @ConfigProperty(name = "seraphim.drift.retrain", defaultValue = "true")
    boolean retrain;

    @Inject
    @ConfigProperty(name = "seraphim.drift.histogram.retention.days", defaultValue = "14")
    int retentionDays;

    public boolean enabled() {
        return enabled;
    }

    public int referenceRows() {
        return Math.max(10, referenceRows);
    }

    public int bins() {
        return Math.max(2, Math.min(100, bins));
    }

    public int maxFeatures() {
        return maxFeatures;
    }

    public int flushSeconds() {
        return Math.max(1, flushSeconds);
    }

    /** The minutes of counts a server keeps while the database cannot take them. */
    public int maxPendingMinutes() {
        return Math.max(windowMinutes, 60);
    }

    public int windowMinutes() {
        return Math.max(1, windowMinutes);
    }

    public int minRows() {
        return Math.max(1, minRows);
    }

    public double threshold() {
        return threshold;
    }

    public boolean retrain() {
        return retrain;
    }

    public int retentionDays() {
        return Math.max(1, retentionDays);
    }
}
