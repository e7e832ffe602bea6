package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up's stopping rule, on windows that run 20261201-223556 recorded. */
class WarmUpTest {
    @Test
    void aServerStillWarmingIsNotSteadyThoughOneEarlyWindowWasFast() {
        // tabular-mlp: the run stopped here under the rule before (no new best in six windows after 886)
        List<Double> tabular = List.of(206.0, 264.0, 397.0, 886.0, 703.0, 637.0, 838.0, 738.0, 773.0, 721.0, 864.0, 846.0);
        assertFalse(Benchmark.steady(tabular));
    }

    @Test
    void flatWindowsAreSteady() {
        List<Double> text = List.of(1062.0, 1252.0, 1085.0, 1150.0, 1197.0, 1133.0, 1117.0, 1131.0, 1220.0, 1144.0, 1111.0, 1105.0);
        assertTrue(Benchmark.steady(text));
        assertTrue(Benchmark.steady(List.of(20.0, 10.0, 30.0, 20.0, 25.0, 15.0, 20.0, 21.0, 19.0, 20.0, 20.0, 20.0)));
    }

    @Test
    void fewerThanTwelveWindowsAreNeverSteady() {
        assertFalse(Benchmark.steady(List.of(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0)));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.5, Benchmark.median(List.of(4.0, 1.0, 3.0, 2.0), 0, 4));
        assertEquals(3.0, Benchmark.median(List.of(9.0, 3.0, 1.0), 0, 3));
    }
}
