package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class PointLengthTest {

    @Test
    void fastRequestsKeepTheDefaultLength() {
        // tabular-mlp in run 20261202-004059: 4.71 ms at 16 clients
        assertArrayEquals(new double[]{2, 6}, Benchmark.pointLength(2, 6, 4.71, 16, 64), 1e-9);
    }

    @Test
    void slowRequestsLengthenThePointToFiveForetoldRequests() {
        // resnet18 in run 20261202-004059: 783.37 ms at 16 clients, so about 3.13 s per request at 64
        double request = 0.78337 * 64 / 16;
        assertArrayEquals(new double[]{request, 5 * request}, Benchmark.pointLength(2, 6, 783.37, 16, 64), 1e-9);
    }

    @Test
    void aVerySlowSeriesIsCapped() {
        assertArrayEquals(new double[]{20, 45}, Benchmark.pointLength(2, 6, 5000, 16, 64), 1e-9);
    }

    @Test
    void quickRunsScaleTheSameWay() {
        // --quick: 0.5 s warm-up and 1.5 s points; 100 ms at 4 clients foretells 400 ms at 16
        assertArrayEquals(new double[]{0.5, 2.0}, Benchmark.pointLength(0.5, 1.5, 100, 4, 16), 1e-9);
    }
}
