package dev.seraphim.inference.status;

import dev.seraphim.inference.batching.BatchingSettings;

/**
 * A model version as this server serves it at one instant, for status views (health, registry, management APIs):
 * values only, so no view can reach a batcher or a native module through it.
 */
public record ServedVersion(String name, String version, boolean ready, String state, String error, boolean isDefault,
                            int queueDepth, long nanosSinceRejection, BatchingSettings batching, int intraOpThreads,
                            boolean optimized, String preparation) {

    /** Whether a request to it was refused for a full queue within the last {@code windowNanos}. */
    public boolean refusedWithin(long windowNanos) {
        return nanosSinceRejection < windowNanos;
    }
}
