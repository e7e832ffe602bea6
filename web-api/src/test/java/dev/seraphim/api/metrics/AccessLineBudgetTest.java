package dev.seraphim.api.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLineBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void linesPastTheBudgetAreCountedAndSummarisedInTheNextWindow() {
        AccessLineBudget budget = new AccessLineBudget(2);
        long t0 = System.nanoTime();
        int written = 0;
        for (int i = 0; i < 1000; i++) {
            AccessLineBudget.Decision d = budget.take(t0 + i * 1_000_000L);
            written += d.write() ? 1 : 0;
            assertEquals(0, d.suppressedBefore());
        }
        assertEquals(20, written, "2 a second over a 10 s window");
        AccessLineBudget.Decision next = budget.take(t0 + 11 * SECOND);
        assertTrue(next.write());
        assertEquals(980, next.suppressedBefore(), "the summary says how many were not written");
        assertEquals(0, budget.take(t0 + 11 * SECOND + 1).suppressedBefore(), "said once");
    }

    @Test
    void aZeroBudgetWritesNoFailureLines() {
        assertFalse(new AccessLineBudget(0).take(System.nanoTime()).write());
    }
}
