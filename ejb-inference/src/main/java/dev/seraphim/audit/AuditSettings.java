package dev.seraphim.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The prediction audit trail's configuration (MicroProfile Config; every key is in docs/configuration.md). */
@ApplicationScoped
public class AuditSettings {
    private final Map<String, PayloadPolicy> policies = new ConcurrentHashMap<>();

    private static Config config() {
        return ConfigProvider.getConfig(AuditSettings.class.getClassLoader());
    }

    private static <T> T get(String key, Class<T> type, T otherwise) {
        return config().getOptionalValue(key, type).orElse(otherwise);
    }

    public boolean enabled() {
        return get("seraphim.audit.enabled", Boolean.class, true);
    }

    /** Records held in memory while the database is slow or down; beyond it new records are dropped and counted. */
    public int bufferCapacity() {
        return Math.max(1, get("seraphim.audit.buffer.capacity", Integer.class, 100_000));
    }

    public int batchSize() {
        return Math.max(1, get("seraphim.audit.batch.size", Integer.class, 500));
    }

    public long flushIntervalMillis() {
        return Math.max(10, get("seraphim.audit.flush.interval.ms", Long.class, 250L));
    }

    /** Longest wait between write attempts while the database fails (the wait doubles from the flush interval). */
    public long maxRetryMillis() {
        return Math.max(flushIntervalMillis(), get("seraphim.audit.retry.max.ms", Long.class, 5_000L));
    }

    public long shutdownFlushMillis() {
        return get("seraphim.audit.shutdown.flush.ms", Long.class, 15_000L);
    }

    public int sampleMaxBytes() {
        return Math.max(0, get("seraphim.audit.sample.max.bytes", Integer.class, 16_384));
    }

    /**
     * The payload policy of a model: {@code seraphim.audit.payload.<model>} (else {@code seraphim.audit.payload},
     * default none) and {@code seraphim.audit.sample.rate.<model>} (else {@code seraphim.audit.sample.rate}, 0.01).
     */
    public PayloadPolicy payload(String model) {
        if (model == null) {
            return PayloadPolicy.NONE;
        }
        return policies.computeIfAbsent(model, m -> {
            String mode = get("seraphim.audit.payload." + m, String.class, get("seraphim.audit.payload", String.class, "none"));
            double rate = get("seraphim.audit.sample.rate." + m, Double.class, get("seraphim.audit.sample.rate", Double.class, 0.01));
            return PayloadPolicy.parse(mode, rate);
        });
    }
}
