package dev.seraphim.inference.engine;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How a loaded TorchScript module is prepared for inference: {@code optimize_for_inference} (freeze, fold, and on the
 * CPU run convolutions and what follows them as oneDNN (MKLDNN) operations), or {@code freeze} alone (freeze and fold;
 * aten's own operators).
 *
 * <p>Why there is a choice: oneDNN sizes its blocks from the CPU's data caches as CPUID reports them. Some
 * hypervisors report no cache at all (leaves 4 and 0x8000001D all zero; the kernel then lists no
 * {@code /sys/devices/system/cpu/cpu0/cache}), and there oneDNN's sum of two MKLDNN tensors, resnet's residual add
 * after {@code optimize_for_inference}, divides by a block size of zero: SIGFPE, and the whole server process dies.
 * On such a CPU ({@link Mode#GUARDED}) a model whose optimized graph combines two MKLDNN tensors is frozen only; the
 * others keep the full optimization (tiny-cnn's batch of 8 is 17 times slower frozen there).
 *
 * @param mode   what {@link #prepare} does
 * @param reason why, for the log
 */
public record GraphOptimization(Mode mode, String reason) {
    /** What {@link #prepare} does. */
    public enum Mode {
        /** {@code optimize_for_inference}. */
        FULL,
        /** {@code freeze} alone. */
        FREEZE,
        /** {@code optimize_for_inference}, unless its graph combines two MKLDNN tensors: then {@code freeze}. */
        GUARDED
    }

    /** A prepared module, owned by the caller, and the libtorch call that made it (with why, where not the full one). */
    public record Prepared(JitModule module, String operation) {
    }

    /** The marker ConvertFrozenOpsToMKLDNN puts before an add or a multiplication of two MKLDNN tensors. */
    static final String MKLDNN_BINARY_OP = "prim::BroadcastMKLDNNTensors";

    /** A new module prepared from {@code plain}, which stays open and owned by the caller. */
    public Prepared prepare(JitModule plain) {
        if (mode == Mode.FREEZE) {
            return new Prepared(torch.freeze(plain), "freeze");
        }
        JitModule full = torch.optimize_for_inference(plain);
        if (mode == Mode.GUARDED && combinesMkldnnTensors(full)) {
            full.close();
            return new Prepared(torch.freeze(plain), "freeze: its optimized graph adds or multiplies MKLDNN tensors, "
                    + "which oneDNN cannot size on this CPU");
        }
        return new Prepared(full, "optimize_for_inference");
    }

    private static boolean combinesMkldnnTensors(JitModule module) {
        try (BytePointer text = module.dump_to_str(true, false, false)) {
            return text.getString().contains(MKLDNN_BINARY_OP);
        }
    }

    /** {@link #choose} for this process: its device, this machine's {@code /sys}, the JVM's architecture. */
    public static GraphOptimization forThisMachine(String setting, boolean cuda) {
        return choose(setting, cuda, Path.of("/sys/devices/system/cpu/cpu0"), System.getProperty("os.arch", ""));
    }

    /**
     * {@code setting} is {@code full}, {@code freeze} or {@code auto}; auto is {@link Mode#GUARDED} on an x86 CPU
     * whose kernel lists the core ({@code cpu0} exists) but no level-1 data cache for it, else {@link Mode#FULL}.
     */
    public static GraphOptimization choose(String setting, boolean cuda, Path cpu0, String arch) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "full":
                return new GraphOptimization(Mode.FULL, "configured");
            case "freeze":
                return new GraphOptimization(Mode.FREEZE, "configured");
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("seraphim.inference.optimization is '" + setting
                        + "'; use auto, full or freeze");
        }
        if (cuda) {
            return new GraphOptimization(Mode.FULL, "CUDA device");
        }
        if (!(arch.equals("amd64") || arch.equals("x86_64")) || !Files.isDirectory(cpu0)) {
            return new GraphOptimization(Mode.FULL, "default");
        }
        if (hasLevelOneDataCache(cpu0.resolve("cache"))) {
            return new GraphOptimization(Mode.FULL, "the CPU reports its caches");
        }
        return new GraphOptimization(Mode.GUARDED, "the CPU reports no data cache (" + cpu0.resolve("cache")
                + " lists none), where oneDNN's sum of two MKLDNN tensors divides by zero");
    }

    private static boolean hasLevelOneDataCache(Path cache) {
        if (!Files.isDirectory(cache)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(cache)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("index")).anyMatch(index ->
                    "1".equals(read(index.resolve("level"))) && !"Instruction".equals(read(index.resolve("type")))
                            && sizeBytes(read(index.resolve("size"))) > 0);
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** "48K" → 49152; "" or unreadable → 0. */
    static long sizeBytes(String size) {
        if (size.isEmpty()) {
            return 0;
        }
        char unit = Character.toUpperCase(size.charAt(size.length() - 1));
        long factor = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : unit == 'G' ? 1024L * 1024 * 1024 : 1;
        String digits = Character.isDigit(unit) ? size : size.substring(0, size.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * factor;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
