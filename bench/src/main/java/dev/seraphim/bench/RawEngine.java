package dev.seraphim.bench;

import dev.seraphim.inference.engine.GraphOptimization;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ceiling: libtorch's forward in this process with what the server does to a model (eval, then
 * optimize_for_inference, or freeze alone where the server's rule chooses it: {@link GraphOptimization}) and the
 * server's thread settings (the model's intra-op threads, one inter-op thread,
 * OpenBLAS on one thread). Nothing else: no HTTP, no JSON, no batching queue.
 */
final class RawEngine {
    /** The server's rule on this machine, with the server's setting where the environment gives one. */
    static final GraphOptimization PREPARATION = preparation(false);

    /** The server's rule for a device of this machine, with the server's setting where the environment gives one. */
    static GraphOptimization preparation(boolean cuda) {
        return GraphOptimization.forThisMachine(System.getenv().getOrDefault("SERAPHIM_INFERENCE_OPTIMIZATION", "auto"), cuda);
    }

    record Point(int batch, double msPerForward, double rowsPerSecond, long forwards) {
    }

    private RawEngine() {
    }

    /**
     * The ceiling of each model and batch: the faster of two passes, one before the server starts and one after it
     * stopped. One pass moved a model's best figure by 14 % between two runs an hour apart on an unchanged path
     * (the machine's speed changes between passes); the faster pass is the stricter ceiling, and the report keeps both.
     * With the passes measured beside the served points (series prefix, then model, as in {@link Targets#BESIDE_SERVED}),
     * each batch also gets {@code <prefix>rows_per_second} and {@code <prefix>ms_per_forward} where that series
     * measured its model. This machine's speed moved by up to half between the two ends of one run (run
     * 20261203-110117: text-classifier at batch 32 4 924 rows/s in the first pass, 7 084 in the second), so a
     * served figure is compared with the raw engine measured just before it as well as with that ceiling.
     */
    static Map<String, Object> ceiling(Map<String, List<Point>> first, Map<String, List<Point>> second,
                                       Map<String, Map<String, List<Point>>> beside) {
        Map<String, Object> out = new LinkedHashMap<>();
        first.forEach((model, points) -> {
            List<Map<String, Object>> merged = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                Point a = points.get(i);
                Point b = second.get(model).get(i);
                Point best = b.rowsPerSecond() > a.rowsPerSecond() ? b : a;
                Map<String, Object> row = Benchmark.map("batch", best.batch(), "ms_per_forward", best.msPerForward(), "rows_per_second", best.rowsPerSecond(),
                        "first_pass_rows_per_second", a.rowsPerSecond(), "second_pass_rows_per_second", b.rowsPerSecond());
                int at = i;
                beside.forEach((series, models) -> {
                    List<Point> measured = models.get(model);
                    if (measured != null) {
                        row.put(series + "rows_per_second", measured.get(at).rowsPerSecond());
                        row.put(series + "ms_per_forward", measured.get(at).msPerForward());
                    }
                });
                merged.add(row);
            }
            out.put(model, merged);
        });
        return out;
    }

    /**
     * The batch at which the model ran fastest over several passes (the same batches in each): each pass's rows per
     * second relative to its own best, summed per batch. One pass alone chose by the minute it ran in: resnet18's pass
     * beside its binary points (run 20261203-154309) ran slow and found batch 32 best, where the passes before gave 8.
     */
    static int bestBatch(List<List<Point>> passes) {
        List<Point> first = passes.get(0);
        double[] score = new double[first.size()];
        for (List<Point> pass : passes) {
            double best = pass.stream().mapToDouble(Point::rowsPerSecond).max().orElseThrow();
            for (int i = 0; i < score.length; i++) {
                score[i] += pass.get(i).rowsPerSecond() / best;
            }
        }
        int at = 0;
        for (int i = 1; i < score.length; i++) {
            if (score[i] > score[at]) {
                at = i;
            }
        }
        return first.get(at).batch();
    }

    /**
     * The raw forward at one batch measured just before and just after one served point, for the report's point
     * ({@code raw_bracket}): both figures, the faster ({@code raw_rows_per_second}, what the point is compared with)
     * and how far apart they are ({@code spread}, relative to the faster).
     */
    static Map<String, Object> bracket(Point before, Point after) {
        double faster = Math.max(before.rowsPerSecond(), after.rowsPerSecond());
        return Benchmark.map("batch", before.batch(), "before_rows_per_second", before.rowsPerSecond(),
                "after_rows_per_second", after.rowsPerSecond(), "raw_rows_per_second", faster,
                "spread", Math.abs(before.rowsPerSecond() - after.rowsPerSecond()) / faster);
    }

    static void configure() {
        openblas_nolapack.blas_set_num_threads(1);
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
        torch.set_num_interop_threads(1);
    }

    static List<Point> measure(ModelCase model, int[] batches, double seconds) {
        List<Point> points = new ArrayList<>();
        try (Loaded loaded = Loaded.of(model)) {
            for (int batch : batches) {
                points.add(loaded.measure(batch, seconds));
            }
        }
        return points;
    }

    /**
     * One model loaded as the server loads it and kept in this process, so that its forward can be measured again
     * seconds before and after a served point without loading it each time (resnet18's load is a second here).
     */
    static final class Loaded implements AutoCloseable {
        private final ModelCase model;
        private final JitModule plain;
        private final JitModule module;

        private Loaded(ModelCase model, JitModule plain, JitModule module) {
            this.model = model;
            this.plain = plain;
            this.module = module;
        }

        static Loaded of(ModelCase model) {
            JitModule plain;
            try (BytePointer path = new BytePointer(model.file().toString())) {
                plain = torch.load(path);
            }
            plain.eval();
            GraphOptimization.Prepared prepared = PREPARATION.prepare(plain);
            if (!prepared.operation().equals("optimize_for_inference")) {
                Benchmark.log("  " + model.name() + " prepared with " + prepared.operation());
            }
            return new Loaded(model, plain, prepared.module());
        }

        /** Forwards at one batch for about {@code seconds} (at least 10) after 5 unmeasured ones. */
        Point measure(int batch, double seconds) {
            // as the server does per forward; the calling thread runs every forward here
            torch.set_num_threads(model.intraOpThreads());
            try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
                IValueVector args = new IValueVector();
                args.push_back(new IValue(tensor(model, batch)));
                for (int i = 0; i < 5; i++) {
                    module.forward(args);
                }
                long start = System.nanoTime();
                long n = 0;
                long deadline = start + (long) (seconds * 1e9);
                do {
                    try (PointerScope perCall = new PointerScope()) {
                        module.forward(args);
                    }
                    n++;
                } while (System.nanoTime() < deadline || n < 10);
                double elapsed = (System.nanoTime() - start) / 1e9;
                return new Point(batch, elapsed * 1000 / n, n * batch / elapsed, n);
            }
        }

        @Override
        public void close() {
            module.close();
            plain.close();
        }
    }

    private static Tensor tensor(ModelCase model, int rows) {
        double[] v = model.values(rows, 7);
        Pointer p;
        torch.ScalarType type;
        if (model.int64()) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                l[i] = (long) v[i];
            }
            p = new LongPointer(l);
            type = torch.ScalarType.Long;
        } else if (model.datatype().equals("FP64")) {
            p = new DoublePointer(v);
            type = torch.ScalarType.Double;
        } else {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            p = new FloatPointer(f);
            type = torch.ScalarType.Float;
        }
        return torch.from_blob(p, model.shape(rows), new TensorOptions(type)).clone();
    }
}
