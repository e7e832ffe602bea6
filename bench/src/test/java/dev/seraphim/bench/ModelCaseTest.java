package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
