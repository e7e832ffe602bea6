package dev.seraphim.bench;

import dev.seraphim.inference.engine.GraphOptimization;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The raw engine on a CUDA device, the GPU part of the benchmark: an image model loaded as the server loads it
 * ({@code torch::jit::load}, {@code to(device)}, {@code eval}, {@code optimize_for_inference} or, where the server's
 * rule chooses it, {@code freeze}: {@link GraphOptimization}), in float32 and
 * float16, optionally with its convolution weights and input channels-last, forward at each batch. The input is
 * already on the device; each forward's output is copied back to the host, which also waits for the device, as a
 * server's batch must before it answers. Its own entry point, since the lent GPU machine has no Maven: it runs there
 * from the bench's jars and a carried JRE ({@code bench/gpu/on-device}). Without CUDA it runs on the CPU, which is
 * how it is tested.
 */
final class DeviceCeiling {
    /** One configuration at one batch: per-forward times (median, 90th percentile) and images per second. */
    record Point(String dtype, String memoryFormat, int batch, double medianMs, double p90Ms, double imagesPerSecond,
                 double meanImagesPerSecond, int forwards, String preparation) {
        Map<String, Object> json() {
            return map("dtype", dtype, "memory_format", memoryFormat, "batch", batch, "median_ms", medianMs,
                    "p90_ms", p90Ms, "images_per_second_at_median", imagesPerSecond,
                    "images_per_second_mean", meanImagesPerSecond, "forwards", forwards,
                    "preparation", preparation);
        }
    }

    /** What to run: the model, one item's shape (no batch dimension), the device, batches, precisions, seconds. */
    record Settings(Path model, long[] item, String device, int[] batches, List<String> dtypes, boolean channelsLast,
                    double seconds, Path out) {
        static Settings parse(String... args) {
            Path model = null;
            Path out = Path.of("device-ceiling.json");
            long[] item = {3, 224, 224};
            String device = "cuda:0";
            int[] batches = {1, 2, 4, 8, 16, 32, 64, 128, 256};
            List<String> dtypes = List.of("float32", "float16");
            boolean channelsLast = false;
            double seconds = 3;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--channels-last")) {
                    channelsLast = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--model" -> model = Path.of(v);
                    case "--item" -> item = Arrays.stream(v.split(",")).mapToLong(Long::parseLong).toArray();
                    case "--device" -> device = v;
                    case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--dtypes" -> dtypes = List.of(v.split(","));
                    case "--seconds" -> seconds = Double.parseDouble(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a + "; options: --model FILE "
                            + "--item 3,224,224 --device cuda:0 --batches 1,2,...,256 --dtypes float32,float16 "
                            + "--channels-last --seconds 3 --out FILE.json");
                }
            }
            if (model == null) {
                throw new IllegalArgumentException("--model FILE is required (a TorchScript image model)");
            }
            for (String d : dtypes) {
                scalarType(d);
            }
            return new Settings(model, item, device, batches, dtypes, channelsLast, seconds, out);
        }
    }

    private DeviceCeiling() {
    }

    public static void main(String[] args) throws IOException {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("device ceiling: " + e.getMessage());
            System.exit(2);
            return;
        }
        // the server's process settings: OpenBLAS on one thread, one inter-op thread
        openblas_nolapack.blas_set_num_threads(1);
        torch.set_num_interop_threads(1);
        boolean cuda = settings.device().startsWith("cuda");
        if (cuda && !torch.cuda_is_available()) {
            System.err.println("device ceiling: " + settings.device() + " asked for, but libtorch sees no CUDA device "
                    + "(the -gpu natives and NVIDIA's libraries must be on the library path)");
            System.exit(3);
        }
        List<String> failures = new ArrayList<>();
        List<Point> points = run(settings, failures);
        Map<String, Object> report = map(
                "date", Instant.now().toString(),
                "device", settings.device(),
                "cuda_devices", cuda ? (int) torch.cuda_device_count() : 0,
                "cudnn", cuda && torch.cudnn_is_available(),
                "model", settings.model().getFileName().toString(),
                "item_shape", Arrays.stream(settings.item()).boxed().toList(),
                "seconds_per_point", settings.seconds(),
                "method", "input on the device; each forward's output copied to the host (which waits for the device); "
                        + "per-forward wall time, median and 90th percentile; cuDNN's benchmark mode off, as in the server",
                "points", points.stream().map(Point::json).toList(),
                "failures", failures);
        Files.writeString(settings.out(), JsonText.of(report));
        System.out.print(table(points));
        if (!failures.isEmpty()) {
            System.err.println("device ceiling: " + failures.size() + " configurations failed: " + failures);
            System.exit(4);
        }
    }

    /**
     * Every configuration at every batch. One that fails (a precision an operator lacks, memory at a large batch) is
     * named in {@code failures} with libtorch's first line, and the others still run: a device lent for minutes
     * should not lose the whole table to one configuration.
     */
    static List<Point> run(Settings settings, List<String> failures) {
        Device device = new Device(settings.device());
        List<Point> points = new ArrayList<>();
        List<Boolean> formats = settings.channelsLast() ? List.of(false, true) : List.of(false);
        for (String dtype : settings.dtypes()) {
            for (boolean channelsLast : formats) {
                String name = dtype + (channelsLast ? " channels_last" : " contiguous");
                try (Loaded loaded = Loaded.of(settings.model(), device, scalarType(dtype), channelsLast)) {
                    for (int batch : settings.batches()) {
                        Point p = loaded.measure(settings.item(), batch, settings.seconds(), dtype);
                        log(String.format(Locale.ROOT, "  %s batch %d: %.3f ms, %.0f images/s", name, batch,
                                p.medianMs(), p.imagesPerSecond()));
                        points.add(p);
                    }
                } catch (RuntimeException e) {
                    String why = name + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                    log("  failed, " + why);
                    failures.add(why);
                }
            }
        }
        return points;
    }

    static String table(List<Point> points) {
        StringBuilder b = new StringBuilder("| dtype | memory format | batch | median ms | p90 ms | images/s (median) | images/s (mean) | forwards |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Point p : points) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.0f | %.0f | %d |%n", p.dtype(),
                    p.memoryFormat(), p.batch(), p.medianMs(), p.p90Ms(), p.imagesPerSecond(), p.meanImagesPerSecond(),
                    p.forwards()));
        }
        return b.toString();
    }

    static torch.ScalarType scalarType(String dtype) {
        return switch (dtype) {
            case "float32" -> torch.ScalarType.Float;
            case "float16" -> torch.ScalarType.Half;
            case "bfloat16" -> torch.ScalarType.BFloat16;
            default -> throw new IllegalArgumentException("dtype " + dtype + " is not one of float32, float16, bfloat16");
        };
    }

    /** The model on the device in one precision and memory format, as the server would hold it. */
    static final class Loaded implements AutoCloseable {
        private final JitModule module;
        private final Device device;
        private final torch.ScalarType type;
        private final boolean channelsLast;
        private final String preparation;

        private Loaded(JitModule module, Device device, torch.ScalarType type, boolean channelsLast, String preparation) {
            this.module = module;
            this.device = device;
            this.type = type;
            this.channelsLast = channelsLast;
            this.preparation = preparation;
        }

        static Loaded of(Path file, Device device, torch.ScalarType type, boolean channelsLast) {
            JitModule plain;
            try (BytePointer path = new BytePointer(file.toString())) {
                plain = torch.load(path);
            }
            plain.to(device, type);
            plain.eval();
            if (channelsLast) {
                toChannelsLast(plain);
            }
            try {
                // the server's rule for this device: optimize_for_inference, or freeze alone on a CPU where oneDNN
                // cannot size a sum of two MKLDNN tensors (GraphOptimization)
                GraphOptimization.Prepared prepared = RawEngine.preparation(device.is_cuda()).prepare(plain);
                plain.close();
                log("  prepared with " + prepared.operation());
                return new Loaded(prepared.module(), device, type, channelsLast, prepared.operation());
            } catch (RuntimeException e) {
                // the server too keeps the module as loaded when freezing fails
                log("  preparing the module failed, measuring it as loaded: "
                        + e.getMessage().lines().findFirst().orElse(""));
                return new Loaded(plain, device, type, channelsLast, "as loaded");
            }
        }

        /** What {@code module.to(memory_format=torch.channels_last)} does in Python: each 4-D parameter's data. */
        private static void toChannelsLast(JitModule module) {
            try (PointerScope scope = new PointerScope()) {
                parameter_list parameters = module.parameters(true);
                parameter_iterator end = parameters.end();
                for (parameter_iterator it = parameters.begin(); it.notEquals(end); it = it.increment()) {
                    Tensor weight = it.access();
                    if (weight.dim() == 4) {
                        weight.set_data(weight.contiguous(torch.MemoryFormat.ChannelsLast));
                    }
                }
            }
        }

        Point measure(long[] item, int batch, double seconds, String dtype) {
            try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
                IValueVector args = new IValueVector();
                args.push_back(new IValue(input(item, batch)));
                long warmUpUntil = System.nanoTime() + (long) (Math.min(1.0, seconds / 3) * 1e9);
                int warm = 0;
                while (warm < 5 || System.nanoTime() < warmUpUntil) {
                    forward(args);
                    warm++;
                }
                List<Long> times = new ArrayList<>();
                long start = System.nanoTime();
                long deadline = start + (long) (seconds * 1e9);
                long t = start;
                while (t < deadline || times.size() < 10) {
                    forward(args);
                    long now = System.nanoTime();
                    times.add(now - t);
                    t = now;
                }
                double elapsed = (t - start) / 1e9;
                long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
                double median = percentile(sorted, 0.5) / 1e6;
                double p90 = percentile(sorted, 0.9) / 1e6;
                return new Point(dtype, channelsLast ? "channels_last" : "contiguous", batch, median, p90,
                        batch * 1000.0 / median, sorted.length * (double) batch / elapsed, sorted.length, preparation);
            }
        }

        /** The same seeded input at every call, on the device, in the module's precision and memory format. */
        private Tensor input(long[] item, int batch) {
            long[] shape = new long[item.length + 1];
            shape[0] = batch;
            System.arraycopy(item, 0, shape, 1, item.length);
            torch.manual_seed(1234);
            Tensor input = torch.randn(shape, new TensorOptions(torch.ScalarType.Float)).to(device, type);
            return channelsLast ? input.contiguous(torch.MemoryFormat.ChannelsLast) : input;
        }

        /** The output for that input as float32 on the host: a precision or memory format must not change it much. */
        float[] answer(long[] item, int batch) {
            try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
                IValueVector args = new IValueVector();
                args.push_back(new IValue(input(item, batch)));
                Tensor out = module.forward(args).toTensor().to(new Device("cpu"), torch.ScalarType.Float).contiguous();
                float[] values = new float[(int) out.numel()];
                out.data_ptr_float().get(values);
                return values;
            }
        }

        private void forward(IValueVector args) {
            try (PointerScope perCall = new PointerScope()) {
                IValue out = module.forward(args);
                Tensor host = out.toTensor().cpu();
                if (host.numel() == 0) {
                    throw new IllegalStateException("the model answered an empty tensor");
                }
            }
        }

        @Override
        public void close() {
            module.close();
        }
    }

    // its own small helpers rather than Benchmark's: on the GPU machine it runs from a JRE with few modules, and
    // Benchmark's plot needs java.desktop
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void log(String line) {
        System.out.println("[device ceiling " + Instant.now().toString().substring(11, 19) + "] " + line);
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
