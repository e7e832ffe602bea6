package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.batching.BatchResult;
import dev.seraphim.inference.tensor.TensorData;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * Shadow (mirror) traffic: a request chosen for the shadow version of its model's traffic policy is run on it too,
 * off the request's path: at most {@code capacity} shadow requests at once, on an executor, never on the request's
 * thread; a request that finds no room is dropped and counted. Each shadow answer is compared with the live one
 * when both are in: per row, whether the first outputs' largest elements are at the same index, and the mean absolute
 * difference of their values.
 */
final class ShadowTraffic {
    private static final Logger LOG = Logger.getLogger(ShadowTraffic.class.getName());

    /** One shadow version's figures since this server started; {@code counted} is told each request's outcome (the metrics). */
    static final class Figures {
        final LongAdder compared = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder failed = new LongAdder();
        volatile java.util.function.Consumer<String> counted = outcome -> { };
        final LongAdder rows = new LongAdder();
        final LongAdder agreeingRows = new LongAdder();
        final DoubleAdder absDifference = new DoubleAdder();
        final LongAdder values = new LongAdder();
        volatile long lastDropLogged;

        double agreement() {
            long r = rows.sum();
            return r == 0 ? Double.NaN : (double) agreeingRows.sum() / r;
        }

        double meanAbsDifference() {
            long v = values.sum();
            return v == 0 ? Double.NaN : absDifference.sum() / v;
        }
    }

    private final Semaphore room;
    private final Executor executor;
    private final long timeoutMillis;
    private final BiFunction<String, String, java.util.function.Consumer<String>> metrics;
    private final Map<String, Figures> figures = new ConcurrentHashMap<>();

    /** {@code metrics} gives, the first time a version shadows, what counts its outcomes (registering its metrics). */
    ShadowTraffic(int capacity, Executor executor, long timeoutMillis,
                  BiFunction<String, String, java.util.function.Consumer<String>> metrics) {
        this.room = new Semaphore(capacity);
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    Figures figures(String model, String version) {
        return figures.computeIfAbsent(model + "/" + version, k -> {
            Figures f = new Figures();
            f.counted = metrics.apply(model, version);
            return f;
        });
    }

    /** Every shadow version's figures, by "model/version". */
    Map<String, Figures> all() {
        return Map.copyOf(figures);
    }

    /** The figures of every version that shadowed a request of {@code model}, by version. */
    Map<String, Figures> figuresOf(String model) {
        Map<String, Figures> out = new java.util.TreeMap<>();
        figures.forEach((k, f) -> {
            if (k.startsWith(model + "/")) {
                out.put(k.substring(model.length() + 1), f);
            }
        });
        return out;
    }

    /** Runs {@code inputs} on {@code shadow} off this thread and compares with {@code live}; dropped when there is no room. */
    void offer(ServedModel shadow, List<TensorData> inputs, CompletableFuture<InferenceResult> live) {
        Figures f = figures(shadow.name(), shadow.version());
        if (!room.tryAcquire()) {
            dropped(f, shadow);
            return;
        }
        try {
            executor.execute(() -> run(shadow, inputs, live, f));
        } catch (RejectedExecutionException e) {
            room.release();
            dropped(f, shadow);
        }
    }

    private void run(ServedModel shadow, List<TensorData> inputs, CompletableFuture<InferenceResult> live, Figures f) {
        CompletableFuture<BatchResult> ran;
        try {
            ran = shadow.batcher().submit(shadow.descriptor().inSignatureOrder(inputs));
        } catch (RuntimeException e) {
            // a full shadow queue is a drop; anything else (a signature the shadow does not share) a failure
            if (e instanceof dev.seraphim.inference.batching.QueueFullException) {
                dropped(f, shadow);
            } else {
                failed(f);
            }
            room.release();
            return;
        }
        ran.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).thenCombine(live, (s, l) -> {
            compare(s.outputs().get(0), l.outputs().get(0), f);
            return null;
        }).whenComplete((ok, failure) -> {
            room.release();
            if (failure != null) {
                failed(f);
            }
        });
    }

    private static void compare(TensorData shadow, TensorData live, Figures f) {
        if (shadow.elementCount() != live.elementCount() || shadow.dataType() != live.dataType()
                || shadow.dataType() != dev.seraphim.inference.tensor.DataType.FP32 || live.rows() == 0) {
            failed(f);
            return;
        }
        FloatBuffer a = shadow.data().order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer b = live.data().order(ByteOrder.nativeOrder()).asFloatBuffer();
        int rows = (int) live.rows();
        int per = (int) (live.elementCount() / rows);
        double diff = 0;
        long agreeing = 0;
        for (int r = 0; r < rows; r++) {
            int argA = 0;
            int argB = 0;
            for (int i = 0; i < per; i++) {
                float x = a.get(r * per + i);
                float y = b.get(r * per + i);
                diff += Math.abs(x - y);
                argA = x > a.get(r * per + argA) ? i : argA;
                argB = y > b.get(r * per + argB) ? i : argB;
            }
            agreeing += argA == argB ? 1 : 0;
        }
        f.compared.increment();
        f.counted.accept("compared");
        f.rows.add(rows);
        f.agreeingRows.add(agreeing);
        f.absDifference.add(diff);
        f.values.add(live.elementCount());
    }

    private static void failed(Figures f) {
        f.failed.increment();
        f.counted.accept("failed");
    }

    private static void dropped(Figures f, ServedModel shadow) {
        f.dropped.increment();
        f.counted.accept("dropped");
        long now = System.currentTimeMillis();
        if (now - f.lastDropLogged > 60_000) {
            f.lastDropLogged = now;
            LOG.warning("shadow requests to " + shadow.name() + " version " + shadow.version() + " are dropped: the shadow is behind"
                    + " (seraphim_shadow_requests_total{outcome=\"dropped\"} counts them; " + f.dropped.sum() + " so far)");
        }
    }
}
