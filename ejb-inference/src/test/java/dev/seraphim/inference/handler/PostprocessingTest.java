package dev.seraphim.inference.handler;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PostprocessingTest {
    private static final Map<Integer, String> LABELS = Postprocessing.labels(Json.createReader(new StringReader(
            "{\"0\": [\"n01\", \"apple\"], \"1\": \"envelope\", \"2\": [\"n03\", \"fern\"]}")).readObject());

    @Test
    void softmaxTopKNamedByTorchServesLabels() {
        Map<String, Double> top = new Postprocessing(Postprocessing.Kind.SOFTMAX, 2, 0.5, LABELS).ranked(new float[]{1f, 3f, 2f, 0f});
        assertEquals(List.of("envelope", "fern"), List.copyOf(top.keySet()));
        double e = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
        assertEquals(Math.exp(3) / e, top.get("envelope"), 1e-9);
        assertEquals(Math.exp(2) / e, top.get("fern"), 1e-9);
        assertEquals(List.of("3", "envelope", "fern", "apple"), List.copyOf(new Postprocessing(Postprocessing.Kind.SOFTMAX, 4, 0.5,
                Map.of(1, "envelope", 2, "fern", 0, "apple")).ranked(new float[]{0f, 1f, 1f, 5f}).keySet()),
                "unnamed classes keep their index; ties keep index order");
    }

    @Test
    void sigmoidKeepsEveryClassOverTheThreshold() {
        // sigmoid(2) = 0.881, sigmoid(0) = 0.5, sigmoid(-1) = 0.269, sigmoid(1) = 0.731
        Map<String, Double> multi = new Postprocessing(Postprocessing.Kind.SIGMOID, 5, 0.6, LABELS).ranked(new float[]{2f, 0f, -1f, 1f});
        assertEquals(List.of("apple", "3"), List.copyOf(multi.keySet()));
        assertEquals(1 / (1 + Math.exp(-2)), multi.get("apple"), 1e-9);
    }

    @Test
    void noneIsTheRowAsItIs() {
        JsonArray row = (JsonArray) new Postprocessing(Postprocessing.Kind.NONE, 5, 0.5, Map.of()).answer(new float[]{1.5f, -2f});
        assertEquals(1.5, row.getJsonNumber(0).doubleValue());
        assertEquals(-2.0, row.getJsonNumber(1).doubleValue());
    }
}
