package dev.seraphim.api.metrics;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogPolicyTest {
    @Test
    void failuresIsTheDefaultAndSkipsOnlySuccesses() {
        assertEquals(AccessLogPolicy.FAILURES, AccessLogPolicy.DEFAULT);
        assertFalse(AccessLogPolicy.FAILURES.writes("success"));
        for (String outcome : new String[]{"client_error", "server_error", "rejected", "timeout"}) {
            assertTrue(AccessLogPolicy.FAILURES.writes(outcome), outcome);
            assertTrue(AccessLogPolicy.ALL.writes(outcome), outcome);
            assertFalse(AccessLogPolicy.NONE.writes(outcome), outcome);
        }
        assertTrue(AccessLogPolicy.ALL.writes("success"));
        assertFalse(AccessLogPolicy.NONE.writes("success"));
    }

    @Test
    void configuredNamesInAnyCaseAndNothingElse() {
        assertEquals(Optional.of(AccessLogPolicy.ALL), AccessLogPolicy.named(" All "));
        assertEquals(Optional.of(AccessLogPolicy.NONE), AccessLogPolicy.named("none"));
        assertEquals(Optional.of(AccessLogPolicy.FAILURES), AccessLogPolicy.named("FAILURES"));
        assertEquals(Optional.empty(), AccessLogPolicy.named("errors"));
        assertEquals(Optional.empty(), AccessLogPolicy.named(""));
        assertEquals(Optional.empty(), AccessLogPolicy.named(null));
    }
}
