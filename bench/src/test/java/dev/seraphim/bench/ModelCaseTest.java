package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCaseTest {

    @Test
    void theRawEngineUsesTheThreadsTheDescriptorGivesTheServer() {
        assertEquals(1, ModelCase.intraOpThreads("{\"name\": \"m\", \"intra_op_threads\": 1, \"inputs\": []}"));
        assertEquals(12, ModelCase.intraOpThreads("{\"intra_op_threads\":12}"));
        assertEquals(Runtime.getRuntime().availableProcessors(), ModelCase.intraOpThreads("{\"name\": \"m\"}"),
                "without the key the server's default: one per core");
    }

    @Test
    void theDemoStoreDescriptorsAreRead() throws Exception {
        Path store = Path.of("..", "server-config", "model-store");
        assertEquals(1, ModelCase.text(store).intraOpThreads());
        assertEquals(Runtime.getRuntime().availableProcessors(), ModelCase.tinyCnn(store).intraOpThreads());
    }

    @Test
    void floatsGoIntoJsonAsTheShortestTextOrAsTheDoubleTheyWidenTo() throws Exception {
        ModelCase image = ModelCase.tinyCnn(Path.of("..", "server-config", "model-store"));
        double[] values = {0.1f, -0.7674542f, 1f};
        String shortest = new String(image.jsonBody(values), java.nio.charset.StandardCharsets.UTF_8);
        String doubles = new String(image.jsonBody(values, true), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(shortest.contains("\"data\":[0.1,-0.7674542,1.0]"), shortest);
        assertTrue(doubles.contains("\"data\":[0.10000000149011612,-0.767454206943512,1.0]"), doubles);
    }
}
