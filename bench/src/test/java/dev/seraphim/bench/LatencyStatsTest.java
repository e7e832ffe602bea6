package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyStatsTest {
    @Test
    void nearestRankPercentilesInMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms .. 1 ms, unsorted
        }
        LatencyStats s = LatencyStats.of(nanos, 100);
        assertEquals(50, s.p50(), 1e-9);
        assertEquals(95, s.p95(), 1e-9);
        assertEquals(99, s.p99(), 1e-9);
        assertEquals(100, s.max(), 1e-9);
        assertEquals(50.5, s.mean(), 1e-9);
    }

    @Test
    void rawComputeIsInterpolatedBetweenMeasuredBatches() {
        Map<String, Object> raw = Map.of("m", List.of(Benchmark.map("batch", 1, "ms_per_forward", 1.0, "rows_per_second", 1000.0),
                Benchmark.map("batch", 4, "ms_per_forward", 2.5, "rows_per_second", 1600.0)));
        assertEquals(1.0, Targets.rawInterpolated(raw, "m", 1, ""), 1e-9);
        assertEquals(2.0, Targets.rawInterpolated(raw, "m", 3, ""), 1e-9);
        assertEquals(1600.0, Targets.bestRaw(raw, "m"), 1e-9);
    }
}
