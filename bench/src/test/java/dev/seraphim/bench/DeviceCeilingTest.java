package dev.seraphim.bench;

import dev.seraphim.inference.engine.GraphOptimization;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPU part's raw engine, run here on the CPU with the demo store's image model (real libtorch). */
class DeviceCeilingTest {
    private static final String TINY_CNN = Path.of("..", "server-config", "model-store", "tiny-cnn.pt").toString();

    @Test
    void theDefaultsAreResnet18sRunOnTheFirstGpu() {
        DeviceCeiling.Settings s = DeviceCeiling.Settings.parse("--model", "resnet18.pt");
        assertEquals("cuda:0", s.device());
        assertArrayEquals(new int[]{1, 2, 4, 8, 16, 32, 64, 128, 256}, s.batches());
        assertEquals(List.of("float32", "float16"), s.dtypes());
        assertArrayEquals(new long[]{3, 224, 224}, s.item());
        assertFalse(s.channelsLast());
    }

    @Test
    void badOptionsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceCeiling.Settings.parse("--batches", "1"))
                .getMessage().contains("--model"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceCeiling.Settings.parse("--model", "m.pt", "--dtypes", "float8"))
                .getMessage().contains("float8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceCeiling.Settings.parse("--model", "m.pt", "--bogus", "1"))
                .getMessage().contains("--bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceCeiling.Settings.parse("--model"))
                .getMessage().contains("needs a value"));
    }

    @Test
    void thePercentileIsTheNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, DeviceCeiling.percentile(sorted, 0.5));
        assertEquals(9, DeviceCeiling.percentile(sorted, 0.9));
        assertEquals(10, DeviceCeiling.percentile(sorted, 1.0));
        assertEquals(7, DeviceCeiling.percentile(new long[]{7}, 0.5));
    }

    /**
     * A model with a residual add, which on a CPU whose CPUID hides its caches would stop the JVM in oneDNN if
     * optimized fully: prepared by the server's rule for this machine, it answers (here frozen, elsewhere optimized).
     */
    @Test
    void aResidualModelIsPreparedByTheServersRuleForThisMachine() {
        String residual = Path.of("..", "ejb-inference", "src", "test", "resources", "models", "residual-cnn.pt").toString();
        DeviceCeiling.Settings s = DeviceCeiling.Settings.parse("--model", residual, "--device", "cpu",
                "--batches", "1,2", "--dtypes", "float32", "--seconds", "0.2");
        List<String> failures = new java.util.ArrayList<>();
        List<DeviceCeiling.Point> points = DeviceCeiling.run(s, failures);
        assertEquals(List.of(), failures);
        assertEquals(2, points.size());
        GraphOptimization.Mode mode = GraphOptimization.forThisMachine("auto", false).mode();
        for (DeviceCeiling.Point p : points) {
            assertTrue(p.forwards() >= 1, p.toString());
            if (mode == GraphOptimization.Mode.GUARDED) {
                assertTrue(p.preparation().startsWith("freeze"), p.toString());
            } else {
                assertEquals("optimize_for_inference", p.preparation(), p.toString());
            }
        }
    }

    @Test
    void eachBatchAndFormatIsMeasuredWithTheForwardsItRan() {
        DeviceCeiling.Settings s = DeviceCeiling.Settings.parse("--model", TINY_CNN, "--device", "cpu",
                "--batches", "1,4", "--dtypes", "float32", "--channels-last", "--seconds", "0.3");
        List<String> failures = new java.util.ArrayList<>();
        List<DeviceCeiling.Point> points = DeviceCeiling.run(s, failures);
        assertEquals(List.of(), failures);
        assertEquals(4, points.size());
        assertEquals(List.of("contiguous", "contiguous", "channels_last", "channels_last"),
                points.stream().map(DeviceCeiling.Point::memoryFormat).toList());
        for (DeviceCeiling.Point p : points) {
            assertTrue(p.forwards() >= 10, p.toString());
            assertTrue(p.medianMs() > 0 && p.p90Ms() >= p.medianMs(), p.toString());
            assertEquals(p.batch() * 1000.0 / p.medianMs(), p.imagesPerSecond(), 1e-9);
            assertEquals("optimize_for_inference", p.preparation(), "tiny-cnn is prepared as the server prepares it");
        }
        String table = DeviceCeiling.table(points);
        assertEquals(2 + points.size(), table.lines().count());
        assertTrue(table.contains("| float32 | channels_last | 4 |"), table);
    }

    @Test
    void aConfigurationThatFailsIsNamedAndTheOthersStillRun() {
        // a model file that is not TorchScript fails each configuration's load; nothing is measured, both are named
        DeviceCeiling.Settings s = DeviceCeiling.Settings.parse("--model",
                Path.of("..", "server-config", "model-store", "tiny-cnn.json").toString(), "--device", "cpu",
                "--batches", "1", "--dtypes", "float32,bfloat16", "--seconds", "0.1");
        List<String> failures = new java.util.ArrayList<>();
        assertEquals(List.of(), DeviceCeiling.run(s, failures));
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("float32 contiguous: "), failures.get(0));
        assertTrue(failures.get(1).startsWith("bfloat16 contiguous: "), failures.get(1));
    }

    @Test
    void channelsLastWeightsAndInputGiveTheSameLogits() {
        long[] item = {3, 224, 224};
        Device cpu = new Device("cpu");
        float[] plain;
        float[] channelsLast;
        try (DeviceCeiling.Loaded m = DeviceCeiling.Loaded.of(Path.of(TINY_CNN), cpu, torch.ScalarType.Float, false)) {
            plain = m.answer(item, 2);
        }
        try (DeviceCeiling.Loaded m = DeviceCeiling.Loaded.of(Path.of(TINY_CNN), cpu, torch.ScalarType.Float, true)) {
            channelsLast = m.answer(item, 2);
        }
        assertEquals(20, plain.length, "two images, ten logits each");
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i], channelsLast[i], 1e-4 + 1e-4 * Math.abs(plain[i]), "logit " + i);
        }
    }
}
