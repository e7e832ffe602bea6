package dev.seraphim.audit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prediction audit trail's configuration (MicroProfile Config; every key is in docs/configuration.md),
 * read once at start: {@link #enabled()} is asked on every request. Per-model payload policies are read on a
 * model's first request and kept.
 */
@ApplicationScoped
public class AuditSettings {
    private final Map<String, PayloadPolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, Boolean> synchronous = new ConcurrentHashMap<>();
    private boolean enabled;
    private int bufferCapacity;
    private int batchSize;
    private long flushIntervalMillis;
    private long maxRetryMillis;
    private long shutdownFlushMillis;
    private int sampleMaxBytes;
    private long synchronousTimeoutMillis;
    private int synchronousConcurrency;

    private static Config config() {
        return ConfigProvider.getConfig(AuditSettings.class.getClassLoader());
    }

    private static <T> T get(String key, Class<T> type, T otherwise) {
        return config().getOptionalValue(key, type).orElse(otherwise);
    }

    @PostConstruct
    void read() {
        enabled = get("seraphim.audit.enabled", Boolean.class, true);
        bufferCapacity = Math.max(1, get("seraphim.audit.buffer.capacity", Integer.class, 100_000));
        batchSize = Math.max(1, get("seraphim.audit.batch.size", Integer.class, 500));
        flushIntervalMillis = Math.max(10, get("seraphim.audit.flush.interval.ms", Long.class, 250L));
        maxRetryMillis = Math.max(flushIntervalMillis, get("seraphim.audit.retry.max.ms", Long.class, 5_000L));
        shutdownFlushMillis = get("seraphim.audit.shutdown.flush.ms", Long.class, 15_000L);
        sampleMaxBytes = Math.max(0, get("seraphim.audit.sample.max.bytes", Integer.class, 16_384));
        synchronousTimeoutMillis = Math.max(10, get("seraphim.audit.synchronous.timeout.ms", Long.class, 2_000L));
        synchronousConcurrency = Math.max(1, get("seraphim.audit.synchronous.concurrency", Integer.class, 32));
    }

    public boolean enabled() {
        return enabled;
    }

    /** Records held in memory while the database is slow or down; beyond it new records are dropped and counted. */
    public int bufferCapacity() {
        return bufferCapacity;
    }

    public int batchSize() {
        return batchSize;
    }

    public long flushIntervalMillis() {
        return flushIntervalMillis;
    }

    /** Longest wait between write attempts while the database fails (the wait doubles from the flush interval). */
    public long maxRetryMillis() {
        return maxRetryMillis;
    }

    public long shutdownFlushMillis() {
        return shutdownFlushMillis;
    }

    public int sampleMaxBytes() {
        return sampleMaxBytes;
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

    /**
     * Whether a model's answers wait for their audit record to be committed ({@code seraphim.audit.synchronous.<model>},
     * else {@code seraphim.audit.synchronous}, default false): for regulated models, where no prediction may leave
     * the server unrecorded, at the price of a database commit per request.
     */
    public boolean synchronous(String model) {
        if (model == null || !enabled) {
            return false;
        }
        return synchronous.computeIfAbsent(model, m -> get("seraphim.audit.synchronous." + m, Boolean.class,
                get("seraphim.audit.synchronous", Boolean.class, false)));
    }

    /** How long a synchronous answer waits for its record before it is refused with 503. */
    public long synchronousTimeoutMillis() {
        return synchronousTimeoutMillis;
    }

    /** Synchronous records being written at once; beyond it an answer is refused at once (the database is slow). */
    public int synchronousConcurrency() {
        return synchronousConcurrency;
    }
}
