package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordInputTest {
    private static final Handler HANDLER = Handler.fromJson(Json.createReader(new StringReader("""
            {"type": "record_classifier", "features": ["age", {"name": "income", "mean": 50000, "std": 20000},
             {"name": "color", "categories": ["red", "green", "blue"]}, {"name": "size", "categories": ["s", "m", "l"], "encoding": "index"}]}
            """)).readObject());
    private static final List<TensorSpec> INPUT = List.of(new TensorSpec("features", DataType.FP32, new long[]{-1, 6}, null));

    @Test
    void featuresBecomeTheVectorInDeclaredOrder() {
        HANDLER.check(INPUT, List.of(new TensorSpec("logits", DataType.FP32, new long[]{-1, 3}, null)));
        TensorData t = HANDLER.tensors(List.of(record("age", 42, "income", 51000, "color", "blue", "size", "m"),
                record("size", "s", "color", "red", "income", new BigDecimal("10000.5"), "age", 7)), INPUT).get(0);
        assertArrayEquals(new long[]{2, 6}, t.shape());
        float[] values = new float[12];
        t.data().asFloatBuffer().get(values);
        assertArrayEquals(new float[]{42, 0.05f, 0, 0, 1, 1, 7, (float) ((10000.5 - 50000) / 20000), 1, 0, 0, 0}, values, 1e-6f);
    }

    @Test
    void aWrongRecordIsRefusedNamingTheFeature() {
        assertRefused(record("income", 1, "color", "red", "size", "s"), "feature 'age' is missing");
        assertRefused(record("age", 1, "income", 1, "color", "red", "size", "s", "height", 3), "unknown feature 'height'");
        assertRefused(record("age", "old", "income", 1, "color", "red", "size", "s"), "feature 'age' must be a number");
        assertRefused(record("age", 1, "income", 1, "color", "purple", "size", "s"), "feature 'color' must be one of [red, green, blue]");
        assertThrows(IllegalArgumentException.class, () -> HANDLER.check(List.of(new TensorSpec("f", DataType.FP32, new long[]{-1, 16}, null)),
                List.of(new TensorSpec("logits", DataType.FP32, new long[]{-1, 3}, null))), "6 columns declared, the model takes 16");
    }

    private static void assertRefused(Instance record, String says) {
        InvalidInstanceException e = assertThrows(InvalidInstanceException.class, () -> HANDLER.tensors(List.of(record), INPUT));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    private static Instance record(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new Instance.Fields(m);
    }
}
