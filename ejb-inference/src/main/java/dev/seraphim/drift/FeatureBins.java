package dev.seraphim.drift;

import java.util.Arrays;

/**
 * The binning and the Population Stability Index of the drift check. Bins come from the reference window: its
 * quantiles are the edges, so each reference bin holds about the same share of rows, and a value equal to an
 * edge falls in the bin above it.
 */
public final class FeatureBins {
    /** Added to every share so that an empty bin does not make the index infinite (the usual smoothing). */
    static final double EMPTY_SHARE = 1e-4;

    private FeatureBins() {
    }

    /** Strictly increasing edges at the {@code bins}-quantiles of the sample; fewer when values repeat. */
    public static double[] edges(double[] sample, int count, int bins) {
        double[] sorted = Arrays.copyOf(sample, count);
        Arrays.sort(sorted);
        double[] edges = new double[Math.max(0, bins - 1)];
        int n = 0;
        for (int k = 1; k < bins && count > 0; k++) {
            double q = sorted[(int) Math.min(count - 1, (long) k * count / bins)];
            if (n == 0 || q > edges[n - 1]) {
                edges[n++] = q;
            }
        }
        return Arrays.copyOf(edges, n);
    }

    /** The bin of a value: 0 below the first edge, edges.length at or above the last. */
    public static int bin(double[] edges, double value) {
        int i = Arrays.binarySearch(edges, value);
        return i >= 0 ? i + 1 : -i - 1;
    }

    public static long[] counts(double[] edges, double[] sample, int count) {
        long[] counts = new long[edges.length + 1];
        for (int i = 0; i < count; i++) {
            counts[bin(edges, sample[i])]++;
        }
        return counts;
    }

    /** PSI = sum over bins of (actual share - reference share) * ln(actual share / reference share). */
    public static double psi(long[] reference, long[] actual) {
        if (reference.length != actual.length) {
            throw new IllegalArgumentException("the windows have " + reference.length + " and " + actual.length + " bins");
        }
        double refTotal = Arrays.stream(reference).sum();
        double actTotal = Arrays.stream(actual).sum();
        if (refTotal == 0 || actTotal == 0) {
            return 0;
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double e = Math.max(reference[i] / refTotal, EMPTY_SHARE);
            double a = Math.max(actual[i] / actTotal, EMPTY_SHARE);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }
}
