package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawCeilingTest {
    @Test
    void eachBatchTakesTheFasterPassAndKeepsBoth() {
        Map<String, List<RawEngine.Point>> first = Map.of("m", List.of(new RawEngine.Point(1, 1.0, 1000, 10), new RawEngine.Point(8, 2.0, 4000, 10)));
        Map<String, List<RawEngine.Point>> second = Map.of("m", List.of(new RawEngine.Point(1, 0.8, 1250, 10), new RawEngine.Point(8, 2.5, 3200, 10)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> m = (List<Map<String, Object>>) RawEngine.ceiling(first, second, Map.of()).get("m");
        assertEquals(1250.0, m.get(0).get("rows_per_second"));
        assertEquals(0.8, m.get(0).get("ms_per_forward"));
        assertEquals(1000.0, m.get(0).get("first_pass_rows_per_second"));
        assertEquals(1250.0, m.get(0).get("second_pass_rows_per_second"));
        assertEquals(4000.0, m.get(1).get("rows_per_second"));
        assertEquals(2.0, m.get(1).get("ms_per_forward"));
        assertEquals(8, m.get(1).get("batch"));
        // the served/raw ratio is taken against the faster pass's best batch
        assertEquals(4000.0, Targets.bestRaw(RawEngine.ceiling(first, second, Map.of()), "m"));
    }

    @Test
    void aPassBesideTheServedPointsIsKeptPerBatchAndComparedSeparately() {
        Map<String, List<RawEngine.Point>> first = Map.of("m", List.of(new RawEngine.Point(1, 1.0, 1000, 10), new RawEngine.Point(8, 2.0, 4000, 10)),
                "n", List.of(new RawEngine.Point(1, 1.0, 1000, 10), new RawEngine.Point(8, 2.0, 4000, 10)));
        Map<String, List<RawEngine.Point>> second = first;
        Map<String, Map<String, List<RawEngine.Point>>> beside = new LinkedHashMap<>();
        beside.put(Targets.BESIDE_SERVED, Map.of("m", List.of(new RawEngine.Point(1, 2.0, 500, 10), new RawEngine.Point(8, 4.0, 2000, 10)),
                "n", List.of(new RawEngine.Point(1, 1.0, 1000, 10), new RawEngine.Point(8, 2.0, 4000, 10))));
        beside.put(Targets.BESIDE_BINARY, Map.of("n", List.of(new RawEngine.Point(1, 0.5, 2000, 10), new RawEngine.Point(8, 1.0, 8000, 10))));
        Map<String, Object> raw = RawEngine.ceiling(first, second, beside);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> m = (List<Map<String, Object>>) raw.get("m");
        assertEquals(4000.0, m.get(1).get("rows_per_second"), "the ceiling is unchanged by the pass beside");
        assertEquals(2000.0, m.get(1).get("beside_served_rows_per_second"));
        assertEquals(4.0, m.get(1).get("beside_served_ms_per_forward"));
        assertFalse(m.get(1).containsKey("beside_binary_rows_per_second"), "m had no binary points");
        assertEquals(2000.0, Targets.bestRaw(raw, "m", Targets.BESIDE_SERVED));
        assertEquals(4000.0, Targets.bestRaw(raw, "m"));
        assertEquals(8000.0, Targets.bestRaw(raw, "n", Targets.BESIDE_BINARY));
        assertTrue(Double.isNaN(Targets.bestRaw(raw, "m", Targets.BESIDE_BINARY)), "no figure where the series did not measure the model");
        assertEquals(2.0, Targets.rawAt(raw, "m", 1, Targets.BESIDE_SERVED));
        assertEquals(3.0, Targets.rawInterpolated(raw, "m", 4.5, Targets.BESIDE_SERVED), 1e-9);
    }

    @Test
    void aServedFigureAboveItsRawPassIsUnreliableNotMet() {
        Map<String, Object> beat = Targets.servedOverRaw("m served/raw", 1.07, 0.9, "served 59.8 vs raw 56.1");
        assertEquals(false, beat.get("met"));
        assertEquals(false, beat.get("reliable"));
        assertTrue(((String) beat.get("detail")).contains("above 1"));
        Map<String, Object> met = Targets.servedOverRaw("m served/raw", 0.95, 0.9, "d");
        assertEquals(true, met.get("met"));
        assertFalse(met.containsKey("reliable"));
        assertEquals(false, Targets.servedOverRaw("m served/raw", 0.85, 0.9, "d").get("met"));
    }
}
