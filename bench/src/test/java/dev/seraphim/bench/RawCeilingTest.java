package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RawCeilingTest {
    @Test
    void eachBatchTakesTheFasterPassAndKeepsBoth() {
        Map<String, List<RawEngine.Point>> first = Map.of("m", List.of(new RawEngine.Point(1, 1.0, 1000, 10), new RawEngine.Point(8, 2.0, 4000, 10)));
        Map<String, List<RawEngine.Point>> second = Map.of("m", List.of(new RawEngine.Point(1, 0.8, 1250, 10), new RawEngine.Point(8, 2.5, 3200, 10)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> m = (List<Map<String, Object>>) RawEngine.ceiling(first, second).get("m");
        assertEquals(1250.0, m.get(0).get("rows_per_second"));
        assertEquals(0.8, m.get(0).get("ms_per_forward"));
        assertEquals(1000.0, m.get(0).get("first_pass_rows_per_second"));
        assertEquals(1250.0, m.get(0).get("second_pass_rows_per_second"));
        assertEquals(4000.0, m.get(1).get("rows_per_second"));
        assertEquals(2.0, m.get(1).get("ms_per_forward"));
        assertEquals(8, m.get(1).get("batch"));
        // the served/raw ratio is taken against the faster pass's best batch
        assertEquals(4000.0, Targets.bestRaw(RawEngine.ceiling(first, second), "m"));
    }
}
