package dev.seraphim.api.metrics;

import dev.seraphim.api.RequestOrigin;
import dev.seraphim.inference.InferenceResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The hand-built access line says what String.format said before it, digit for digit. */
class AccessLineTest {
    @Test
    void millisecondsHaveThreeDecimalsLikeFormat() {
        Random r = new Random(7);
        long[] fixed = {0, 1, 499, 500, 999, 1_000, 1_499_999, 1_500_000, 9_999_499, 12_345_678, 120_000_000_000L};
        for (long nanos : fixed) {
            assertEquals(formatted(nanos), millis(nanos), "nanos " + nanos);
        }
        for (int i = 0; i < 100_000; i++) {
            long nanos = (long) (r.nextDouble() * 1e10);
            // %.3f rounds the double half-even; ties at exactly .0005 ms are the only place the two may differ
            if (nanos % 1000 != 500) {
                assertEquals(formatted(nanos), millis(nanos), "nanos " + nanos);
            }
        }
    }

    @Test
    void theLineCarriesEveryField() {
        InferenceResult result = new InferenceResult("tabular-mlp", "1", List.of(), 12, 3_120_000, 412_345);
        String line = RequestMetrics.accessLine("oip", new RequestOrigin("abc", "203.0.113.0", "0123456789abcdef0123"),
                "tabular-mlp", "1", 200, "success", result, 4_870_400);
        assertEquals("inference request_id=abc api=oip model=tabular-mlp version=1 status=200 outcome=success batch_rows=12"
                + " queue_ms=3.120 compute_ms=0.412 duration_ms=4.870 client=203.0.113.0 key=0123456789abcdef", line);
        assertEquals("inference request_id=x api=torchserve model=- version=- status=400 outcome=client_error batch_rows=0"
                        + " queue_ms=0.000 compute_ms=0.000 duration_ms=0.002 client=- key=-",
                RequestMetrics.accessLine("torchserve", new RequestOrigin("x", null, null), "-", null, 400, "client_error", null, 2_000));
    }

    @Test
    void namesAreCleanedAndCut() {
        String plain = "tabular-mlp_v2.1";
        assertSame(plain, RequestMetrics.clean(plain, 128));
        assertEquals("..?x?y", RequestMetrics.clean("../x y", 128));
        assertEquals("abc", RequestMetrics.clean("abcdef", 3));
        assertEquals("a?c", RequestMetrics.clean("a/cdef", 3));
    }

    private static String millis(long nanos) {
        StringBuilder b = new StringBuilder();
        RequestMetrics.millis(b, nanos);
        return b.toString();
    }

    private static String formatted(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
