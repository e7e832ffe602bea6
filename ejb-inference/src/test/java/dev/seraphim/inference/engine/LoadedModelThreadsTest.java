package dev.seraphim.inference.engine;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import jakarta.json.Json;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A forward runs with its model's intra-op threads on whatever thread runs it, and a change applies to the next one. */
class LoadedModelThreadsTest {
    private static final Path MODEL = Path.of("..", "server-config", "model-store", "tabular-mlp.pt").toAbsolutePath().normalize();

    @AfterAll
    static void restoreTheDefault() {
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void eachForwardSetsItsModelsCountOnItsThread() throws Exception {
        ModelDescriptor d;
        try (var r = Json.createReader(new StringReader("{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,16]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,3]}],\"intra_op_threads\":1}"))) {
            d = ModelDescriptors.fromJson(r.readObject(), "tabular-mlp", "1", MODEL);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (LoadedModel model = LoadedModel.load(d, new Device("cpu"), d.intraOpThreads().orElseThrow(), new GraphOptimization(GraphOptimization.Mode.FULL, "test"))) {
            on(thread, () -> {
                IntraOpThreads.use(3);
                return null;
            });
            assertEquals(1L, on(thread, () -> countDuring(model)), "the thread had 3; the model's forward runs with its 1");
            model.intraOpThreads(2);
            assertEquals(2L, on(thread, () -> countDuring(model)), "a changed count applies from the next forward");
        } finally {
            thread.shutdownNow();
        }
    }

    /** Runs one forward of a batch of two rows and answers the count the thread's parallel regions now use. */
    private static long countDuring(LoadedModel model) {
        ByteBuffer rows = ByteBuffer.allocateDirect(2 * 16 * Float.BYTES).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 32; i++) {
            rows.putFloat(i * 0.01f);
        }
        rows.flip();
        List<TensorData> out = model.forward(List.of(new TensorData("features", DataType.FP32, new long[]{2, 16}, rows)));
        assertEquals(2, out.get(0).shape()[0]);
        return torch.get_num_threads();
    }

    private static <T> T on(ExecutorService thread, Supplier<T> task) throws Exception {
        return CompletableFuture.supplyAsync(task, thread).get(60, TimeUnit.SECONDS);
    }
}
