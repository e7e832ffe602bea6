package dev.seraphim.bench;

import java.util.Arrays;

/** Percentiles of a run's latencies (nearest rank), in milliseconds. */
record LatencyStats(long count, double mean, double p50, double p95, double p99, double max) {

    static LatencyStats of(long[] nanos, int n) {
        if (n == 0) {
            return new LatencyStats(0, 0, 0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return new LatencyStats(n, sum / n / 1e6, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), sorted[n - 1] / 1e6);
    }

    static double rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
