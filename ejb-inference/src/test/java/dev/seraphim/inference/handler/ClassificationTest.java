package dev.seraphim.inference.handler;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationTest {
    @Test
    void softmaxTopKNamedByTorchServesLabels() {
        Map<Integer, String> labels = Classification.labels(Json.createReader(new StringReader(
                "{\"0\": [\"n01\", \"apple\"], \"1\": \"envelope\", \"2\": [\"n03\", \"fern\"]}")).readObject());
        Map<String, Float> top = new Classification(2, labels).top(new float[]{1f, 3f, 2f, 0f});
        assertEquals(List.of("envelope", "fern"), List.copyOf(top.keySet()));
        double e = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
        assertEquals(Math.exp(3) / e, top.get("envelope"), 1e-6);
        assertEquals(Math.exp(2) / e, top.get("fern"), 1e-6);
        assertEquals(List.of("3", "envelope", "fern", "apple"), List.copyOf(new Classification(4, Map.of(1, "envelope", 2, "fern", 0, "apple"))
                .top(new float[]{0f, 1f, 1f, 5f}).keySet()), "unnamed classes keep their index; ties keep index order");
    }
}
