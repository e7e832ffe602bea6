package dev.seraphim.inference.engine;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.json.Json;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.seraphim.inference.engine.GraphOptimization.Mode.FREEZE;
import static dev.seraphim.inference.engine.GraphOptimization.Mode.FULL;
import static dev.seraphim.inference.engine.GraphOptimization.Mode.GUARDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the engine freezes only, instead of optimize_for_inference, and that a frozen module serves. */
class GraphOptimizationTest {
    private static final Path STORE = Path.of("..", "server-config", "model-store").toAbsolutePath().normalize();
    /** src/test/resources/models/residual_cnn.py wrote it. */
    private static final Path RESIDUAL = Path.of("src", "test", "resources", "models", "residual-cnn.pt").toAbsolutePath();
    private static final Device CPU = new Device("cpu");

    @TempDir
    Path sys;

    @Test
    void anX86CpuThatReportsItsLevelOneDataCacheGetsTheFullOptimization() throws IOException {
        Path cpu0 = cpu0("a", "index0 1 Data 48K", "index1 1 Instruction 32K", "index2 2 Unified 1024K");
        assertEquals(FULL, GraphOptimization.choose("auto", false, cpu0, "amd64").mode());
    }

    @Test
    void anX86CpuWithoutCacheInformationIsGuarded() throws IOException {
        Path cpu0 = Files.createDirectories(sys.resolve("cpu0"));
        GraphOptimization choice = GraphOptimization.choose("auto", false, cpu0, "amd64");
        assertEquals(GUARDED, choice.mode());
        assertTrue(choice.reason().contains("no data cache"), choice.reason());
    }

    @Test
    void anEmptyOrInstructionOnlyLevelOneDoesNotCount() throws IOException {
        assertEquals(GUARDED, GraphOptimization.choose("auto", false,
                cpu0("a", "index0 1 Instruction 32K", "index1 2 Unified 1024K"), "x86_64").mode());
        assertEquals(GUARDED, GraphOptimization.choose("auto", false, cpu0("b", "index0 1 Data 0K"), "amd64").mode());
    }

    @Test
    void cudaOtherArchitecturesAndMachinesWithoutSysfsKeepTheFullOptimization() throws IOException {
        Path bare = Files.createDirectories(sys.resolve("cpu0"));
        assertEquals(FULL, GraphOptimization.choose("auto", true, bare, "amd64").mode());
        assertEquals(FULL, GraphOptimization.choose("auto", false, bare, "aarch64").mode());
        assertEquals(FULL, GraphOptimization.choose("auto", false, sys.resolve("absent"), "amd64").mode());
    }

    @Test
    void theSettingOverridesTheMachineAndABadOneNamesTheChoices() throws IOException {
        Path bare = Files.createDirectories(sys.resolve("cpu0"));
        assertEquals(FULL, GraphOptimization.choose("full", false, bare, "amd64").mode());
        assertEquals(FREEZE, GraphOptimization.choose(" Freeze ", true, bare, "amd64").mode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphOptimization.choose("fast", false, bare, "amd64"));
        assertTrue(e.getMessage().contains("use auto, full or freeze"), e.getMessage());
    }

    @Test
    void sizesReadAsTheKernelWritesThem() {
        assertEquals(49152, GraphOptimization.sizeBytes("48K"));
        assertEquals(1L << 20, GraphOptimization.sizeBytes("1M"));
        assertEquals(0, GraphOptimization.sizeBytes(""));
        assertEquals(0, GraphOptimization.sizeBytes("lots"));
    }

    @Test
    void guardedFreezesOnlyAModelWhoseOptimizedGraphCombinesMkldnnTensors() {
        GraphOptimization guarded = new GraphOptimization(GUARDED, "test");
        // the residual add of 16-channel feature maps: the sum that divides by zero where CPUID hides the caches
        try (LoadedModel residual = LoadedModel.load(image("residual-cnn", RESIDUAL, 16, 4), CPU, 1, guarded)) {
            assertTrue(residual.optimized(), "the frozen module answered the sample input as the loaded one");
            assertTrue(residual.preparation().startsWith("freeze: its optimized graph adds or multiplies MKLDNN tensors"),
                    residual.preparation());
        }
        try (LoadedModel plainCnn = LoadedModel.load(image("tiny-cnn", STORE.resolve("tiny-cnn.pt"), 224, 10), CPU, 1, guarded)) {
            assertEquals("optimize_for_inference", plainCnn.preparation(), "no MKLDNN tensors are combined in tiny-cnn");
        }
    }

    @Test
    void freezeAloneServesAnswersAsTheLoadedModule() {
        try (LoadedModel frozen = LoadedModel.load(image("residual-cnn", RESIDUAL, 16, 4), CPU, 1,
                new GraphOptimization(FREEZE, "test"))) {
            assertEquals("freeze", frozen.preparation(), "kept only when it answered the sample input as the loaded module");
        }
    }

    private static ModelDescriptor image(String name, Path file, int side, int classes) {
        try (var r = Json.createReader(new StringReader("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[-1,3,"
                + side + "," + side + "]}],\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1," + classes
                + "]}],\"intra_op_threads\":1}"))) {
            return ModelDescriptors.fromJson(r.readObject(), name, "1", file);
        }
    }

    /** A cpu0 directory under {@code name} with one cache/indexN per "indexN level type size". */
    private Path cpu0(String name, String... caches) throws IOException {
        Path cpu0 = sys.resolve(name).resolve("cpu0");
        for (String c : caches) {
            String[] f = c.split(" ");
            Path dir = Files.createDirectories(cpu0.resolve("cache").resolve(f[0]));
            Files.writeString(dir.resolve("level"), f[1] + "\n");
            Files.writeString(dir.resolve("type"), f[2] + "\n");
            Files.writeString(dir.resolve("size"), f[3] + "\n");
        }
        return cpu0;
    }
}
