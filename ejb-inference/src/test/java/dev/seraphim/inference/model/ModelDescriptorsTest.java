package dev.seraphim.inference.model;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelDescriptorsTest {
    private static final String SIGNATURE = "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]";

    @Test
    void intraOpThreadsAreOptionalAndKeptWhenSet() {
        assertEquals(Optional.empty(), parse("{" + SIGNATURE + "}").intraOpThreads());
        assertEquals(Optional.of(1), parse("{" + SIGNATURE + ",\"intra_op_threads\":1}").intraOpThreads());
    }

    @Test
    void intraOpThreadsOutOfRangeAreRefusedSayingTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{" + SIGNATURE + ",\"intra_op_threads\":0}"));
        assertTrue(e.getMessage().contains("between 1 and 1024"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("{" + SIGNATURE + ",\"intra_op_threads\":1025}"));
        assertThrows(IllegalArgumentException.class, () -> parse("{" + SIGNATURE + ",\"intra_op_threads\":-1}"));
        assertEquals(Optional.of(1024), parse("{" + SIGNATURE + ",\"intra_op_threads\":1024}").intraOpThreads());
    }

    @Test
    void settingsThatAreNotIntegersAreRefusedRatherThanIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("{" + SIGNATURE + ",\"intra_op_threads\":\"2\"}"));
        assertTrue(e.getMessage().contains("'intra_op_threads' must be an integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> parse("{" + SIGNATURE + ",\"batching\":{\"max_batch_size\":1.5}}"));
        assertTrue(e.getMessage().contains("'max_batch_size' must be an integer"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> parse("{" + SIGNATURE + ",\"batching\":{\"workers\":9999999999}}"));
        e = assertThrows(IllegalArgumentException.class, () -> parse("{" + SIGNATURE + ",\"timeout_ms\":\"30000\"}"));
        assertTrue(e.getMessage().contains("'timeout_ms' must be an integer"), e.getMessage());
        assertEquals(Optional.of(9_999_999_999L), parse("{" + SIGNATURE + ",\"timeout_ms\":9999999999}").timeoutMillis());
    }

    @Test
    void batchingSettingsTheEngineCannotTakeAreRefusedNamingTheField() {
        for (String[] bad : new String[][]{{"max_batch_size", "0"}, {"max_batch_size", "-1"}, {"max_batch_size", "65537"},
                {"max_batch_delay_ms", "-1"}, {"queue_capacity", "0"}, {"workers", "0"}, {"workers", "257"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> parse("{" + SIGNATURE + ",\"batching\":{\"" + bad[0] + "\":" + bad[1] + "}}"));
            assertTrue(e.getMessage().contains("'batching." + bad[0] + "'"), e.getMessage());
        }
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> parse("{" + SIGNATURE + ",\"timeout_ms\":0}"));
        assertTrue(timeout.getMessage().contains("'timeout_ms'"), timeout.getMessage());
        assertEquals(Optional.of(65536), parse("{" + SIGNATURE + ",\"batching\":{\"max_batch_size\":65536}}").batching().maxBatchSize());
    }

    @Test
    void settingsRoundTripThroughTheirJson() {
        ModelDescriptor d = parse("{" + SIGNATURE + ",\"batching\":{\"max_batch_size\":8,\"workers\":2},\"timeout_ms\":500,\"intra_op_threads\":1}");
        JsonObject settings = ModelDescriptors.settings(d);
        assertEquals("{\"batching\":{\"max_batch_size\":8,\"workers\":2},\"timeout_ms\":500,\"intra_op_threads\":1}", settings.toString());
        var withSignature = Json.createObjectBuilder(ModelDescriptors.signature(d));
        settings.forEach(withSignature::add);
        ModelDescriptor again = ModelDescriptors.fromJson(withSignature.build(), "m", "1", Path.of("m.pt"));
        assertEquals(d.batching(), again.batching());
        assertEquals(d.timeoutMillis(), again.timeoutMillis());
        assertEquals(d.intraOpThreads(), again.intraOpThreads());
    }

    private static ModelDescriptor parse(String json) {
        JsonObject o;
        try (var r = Json.createReader(new StringReader(json))) {
            o = r.readObject();
        }
        return ModelDescriptors.fromJson(o, "m", "1", Path.of("m.pt"));
    }
}
