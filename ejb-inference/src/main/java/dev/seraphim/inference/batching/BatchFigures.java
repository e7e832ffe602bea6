package dev.seraphim.inference.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one batcher has run, by batch size: batches and their compute time per number of rows, and when the last
 * batch ran. Triton's ModelStatistics reports these (batch_stats, last_inference); the Prometheus histogram of batch
 * sizes cannot, as it keeps no time per size.
 */
public final class BatchFigures {
    private final ConcurrentHashMap<Long, Size> bySize = new ConcurrentHashMap<>();
    private volatile long lastBatchEpochMillis;

    /** A batch of {@code rows} rows ran in {@code computeNanos}. */
    void ran(long rows, long computeNanos) {
        Size s = bySize.computeIfAbsent(rows, r -> new Size());
        s.batches.increment();
        s.nanos.add(computeNanos);
        lastBatchEpochMillis = System.currentTimeMillis();
    }

    public Snapshot snapshot() {
        List<SizeFigures> sizes = new ArrayList<>();
        bySize.forEach((rows, s) -> sizes.add(new SizeFigures(rows, s.batches.sum(), s.nanos.sum())));
        sizes.sort(java.util.Comparator.comparingLong(SizeFigures::rows));
        return new Snapshot(List.copyOf(sizes), lastBatchEpochMillis);
    }

    private static final class Size {
        final LongAdder batches = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    /** Batches of {@code rows} rows: how many ran, and their forwards' time together (copies in and out included). */
    public record SizeFigures(long rows, long batches, long computeNanos) {
    }

    /** Every batch size that ran, smallest first; the last batch's time (0 before the first). */
    public record Snapshot(List<SizeFigures> sizes, long lastBatchEpochMillis) {
        public static final Snapshot NONE = new Snapshot(List.of(), 0);
    }
}
