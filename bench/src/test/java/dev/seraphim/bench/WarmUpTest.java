package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up's stopping rules, on windows measured on this machine. */
class WarmUpTest {
    /**
     * tabular-mlp at 16 clients right after a start (2026-12-02): C2 and C1's clock ticks (1/100 s) per 5 s window,
     * beside the windows' 185, 218, 251, 363, 608, 655, 805, 671, 577, 774, 692, 694, 638, 1202, 683, 872, 848, 986,
     * 1249, 1132, 1223, 1191, 1368, 1439, 1303, 1328, 1312, 1653, 1848, 2058, 2286, 2627, 2805, 2641, 2980, 2852, 3218,
     * 3079, 2872, 3061 req/s: a minute's plateau at 600-870 req/s while the compilers still held 35-60 % of a core.
     */
    private static final int[] TABULAR_COMPILER_TICKS = {305, 246, 252, 269, 192, 174, 199, 195, 175, 180, 175, 215, 213, 232, 215,
            200, 177, 219, 223, 205, 217, 199, 192, 269, 228, 240, 275, 285, 275, 261, 234, 72, 55, 76, 13, 18, 43, 11, 3, 9};

    @Test
    void theCompilersFallQuietWhenThroughputStopsRisingNotOnItsEarlyPlateau() {
        List<Double> cores = new ArrayList<>();
        int firstQuiet = -1;
        for (int ticks : TABULAR_COMPILER_TICKS) {
            cores.add(ticks / 100.0 / 5);
            if (firstQuiet < 0 && WarmUp.compilerQuiet(cores)) {
                firstQuiet = cores.size();
            }
        }
        // the 37th window (185 s, 2 980 req/s): the median of 13, 18, 43, 55, 72, 76 ticks is 0.098 of a core
        assertEquals(37, firstQuiet);
    }

    @Test
    void fewerThanSixWindowsNeverQuiet() {
        assertFalse(WarmUp.compilerQuiet(List.of(0.0, 0.0, 0.0, 0.0, 0.0)));
        assertTrue(WarmUp.compilerQuiet(List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)));
    }

    @Test
    void oneBusyWindowAmongQuietOnesDoesNotHoldTheWarmUp() {
        assertTrue(WarmUp.compilerQuiet(List.of(0.5, 0.05, 0.02, 0.4, 0.01, 0.03, 0.06)));
        assertFalse(WarmUp.compilerQuiet(List.of(0.02, 0.5, 0.45, 0.4, 0.01, 0.3, 0.06)));
    }

    @Test
    void aServerStillWarmingIsNotSteadyThoughOneEarlyWindowWasFast() {
        // tabular-mlp: the run stopped here under the rule before (no new best in six windows after 886)
        List<Double> tabular = List.of(206.0, 264.0, 397.0, 886.0, 703.0, 637.0, 838.0, 738.0, 773.0, 721.0, 864.0, 846.0);
        assertFalse(WarmUp.steady(tabular));
    }

    @Test
    void flatWindowsAreSteady() {
        List<Double> text = List.of(1062.0, 1252.0, 1085.0, 1150.0, 1197.0, 1133.0, 1117.0, 1131.0, 1220.0, 1144.0, 1111.0, 1105.0);
        assertTrue(WarmUp.steady(text));
        assertTrue(WarmUp.steady(List.of(20.0, 10.0, 30.0, 20.0, 25.0, 15.0, 20.0, 21.0, 19.0, 20.0, 20.0, 20.0)));
    }

    @Test
    void fewerThanTwelveWindowsAreNeverSteady() {
        assertFalse(WarmUp.steady(List.of(5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0)));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.5, WarmUp.median(List.of(4.0, 1.0, 3.0, 2.0), 0, 4));
        assertEquals(3.0, WarmUp.median(List.of(9.0, 3.0, 1.0), 0, 3));
    }
}
