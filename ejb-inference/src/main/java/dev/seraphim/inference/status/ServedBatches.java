package dev.seraphim.inference.status;

import java.util.List;

/**
 * The batches a served version has run on this server, by size (values only): for each number of rows, how many
 * batches and their forwards' time together (copies in and out included); when the last one ran (0 before the first).
 */
public record ServedBatches(List<Size> sizes, long lastBatchEpochMillis) {
    public record Size(long rows, long batches, long computeNanos) {
    }
}
