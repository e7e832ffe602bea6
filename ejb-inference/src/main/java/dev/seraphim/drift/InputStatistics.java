package dev.seraphim.drift;

import dev.seraphim.inference.tensor.TensorData;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streaming input statistics of one model version on this server. Until a reference exists, the first
 * rows are kept as a sample (a few thousand doubles per feature) from which the reference bins are made; after
 * that each row only increments one counter per feature in the current minute's histogram. Nothing else of the
 * inputs is kept. One lock per model version: the work under it is a binary search per feature.
 */
final class InputStatistics {
    final String model;
    final String version;
    final List<FeatureColumn> columns;
    private final int referenceRows;
    private final int bins;
    private final int maxPendingMinutes;

    private double[][] sample;
    private int sampled;
    private double[][] edges;
    /** minute → feature → bin counts, not yet written to the database */
    private final TreeMap<Instant, long[][]> pending = new TreeMap<>();
    private long droppedRows;

    InputStatistics(String model, String version, List<FeatureColumn> columns, int referenceRows, int bins, int maxPendingMinutes) {
        this.model = model;
        this.version = version;
        this.columns = List.copyOf(columns);
        this.referenceRows = referenceRows;
        this.bins = bins;
        this.maxPendingMinutes = maxPendingMinutes;
        this.sample = new double[columns.size()][];
    }

    boolean watched() {
        return !columns.isEmpty();
    }

    synchronized void observe(List<TensorData> inputs, Instant now) {
        if (edges == null) {
            takeSample(inputs);
            return;
        }
        long[][] minute = pending.computeIfAbsent(now.truncatedTo(ChronoUnit.MINUTES), m -> newCounts());
        for (int f = 0; f < columns.size(); f++) {
            FeatureColumn c = columns.get(f);
            TensorData t = inputs.get(c.input());
            ByteBuffer data = t.buffer();
            for (long r = 0, rows = t.rows(); r < rows; r++) {
                double v = c.value(data, r);
                if (!Double.isNaN(v)) {
                    minute[f][FeatureBins.bin(edges[f], v)]++;
                }
            }
        }
        while (pending.size() > maxPendingMinutes) {
            long[][] oldest = pending.pollFirstEntry().getValue();
            droppedRows += oldest.length == 0 ? 0 : java.util.Arrays.stream(oldest[0]).sum();
        }
    }

    private void takeSample(List<TensorData> inputs) {
        if (sampled >= referenceRows) {
            return;
        }
        long rows = inputs.get(columns.get(0).input()).rows();
        for (long r = 0; r < rows && sampled < referenceRows; r++, sampled++) {
            for (int f = 0; f < columns.size(); f++) {
                if (sample[f] == null) {
                    sample[f] = new double[referenceRows];
                }
                FeatureColumn c = columns.get(f);
                sample[f][sampled] = c.value(inputs.get(c.input()).buffer(), r);
            }
        }
    }

    synchronized boolean hasReference() {
        return edges != null;
    }

    /** The reference made from this server's first rows, once it has enough of them and none is in use. */
    synchronized Reference sampledReference() {
        if (edges != null || sampled < referenceRows) {
            return null;
        }
        List<Reference.Feature> features = new ArrayList<>();
        for (int f = 0; f < columns.size(); f++) {
            double[] clean = java.util.Arrays.stream(sample[f], 0, sampled).filter(v -> !Double.isNaN(v)).toArray();
            double[] e = FeatureBins.edges(clean, clean.length, bins);
            features.add(new Reference.Feature(columns.get(f).name(), e, FeatureBins.counts(e, clean, clean.length)));
        }
        return new Reference(sampled, features);
    }

    /** Starts counting against the reference every server shares (the first one stored wins). */
    synchronized void useReference(Reference reference) {
        Map<String, Reference.Feature> byName = reference.byName();
        double[][] e = new double[columns.size()][];
        for (int f = 0; f < columns.size(); f++) {
            Reference.Feature feature = byName.get(columns.get(f).name());
            if (feature == null) {
                throw new IllegalStateException("the stored reference of " + model + " " + version + " has no feature "
                        + columns.get(f).name());
            }
            e[f] = feature.edges();
        }
        edges = e;
        sample = new double[columns.size()][];
    }

    /** Takes the counts not yet written, oldest minute first. */
    synchronized TreeMap<Instant, long[][]> drain() {
        TreeMap<Instant, long[][]> out = new TreeMap<>(pending);
        pending.clear();
        return out;
    }

    /** Puts back counts whose write failed, to be tried again with the next flush. */
    synchronized void restore(TreeMap<Instant, long[][]> unwritten) {
        unwritten.forEach((minute, counts) -> {
            long[][] current = pending.get(minute);
            if (current == null) {
                pending.put(minute, counts);
            } else {
                for (int f = 0; f < counts.length; f++) {
                    for (int b = 0; b < counts[f].length; b++) {
                        current[f][b] += counts[f][b];
                    }
                }
            }
        });
        while (pending.size() > maxPendingMinutes) {
            long[][] oldest = pending.pollFirstEntry().getValue();
            droppedRows += oldest.length == 0 ? 0 : java.util.Arrays.stream(oldest[0]).sum();
        }
    }

    /** Rows whose counts were dropped because the database stayed away longer than the pending minutes cover. */
    synchronized long takeDroppedRows() {
        long d = droppedRows;
        droppedRows = 0;
        return d;
    }

    private long[][] newCounts() {
        long[][] counts = new long[columns.size()][];
        for (int f = 0; f < counts.length; f++) {
            counts[f] = new long[edges[f].length + 1];
        }
        return counts;
    }
}
