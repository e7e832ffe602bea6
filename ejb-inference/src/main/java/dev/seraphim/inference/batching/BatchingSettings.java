package dev.seraphim.inference.batching;

/**
 * How one model version gathers requests: up to {@code maxBatchSize} rows, waiting at most
 * {@code maxBatchDelayMs} after the first request for more; at most {@code queueCapacity} requests wait;
 * {@code workers} batches of this model may run at once.
 */
public record BatchingSettings(int maxBatchSize, int maxBatchDelayMs, int queueCapacity, int workers) {
    public BatchingSettings {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max_batch_size must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelayMs < 0) {
            throw new IllegalArgumentException("max_batch_delay_ms must not be negative, got " + maxBatchDelayMs);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
    }
}
