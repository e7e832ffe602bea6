package dev.seraphim.inference.batching;

/** Hears what a batcher does, for metrics; called on the batch's worker thread. */
public interface BatchObserver {
    BatchObserver NONE = new BatchObserver() {
    };

    default void batchRan(int requests, long rows, long computeNanos) {
    }

    default void queueWaited(long nanos) {
    }

    default void expiredInQueue() {
    }

    default void rejected() {
    }
}
