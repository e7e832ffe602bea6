package dev.seraphim.bench;

import dev.seraphim.inference.handler.ImageDecoder;
import dev.seraphim.inference.handler.ImageTransform;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Images from JPEG against the binary tensor (issue 34): a 640×480 JPEG sent raw to TorchServe's predictions (the
 * server decodes and preprocesses it) beside the same model's binary OIP tensor, interleaved at each concurrency; and
 * the decode + preprocess CPU of that JPEG on one thread of this process (the server's code, the same JIT).
 */
final class ImagePoints {
    static final String PHOTO = "/photo-640x480.jpg";

    private ImagePoints() {
    }

    static byte[] photo() throws IOException {
        try (InputStream in = ImagePoints.class.getResourceAsStream(PHOTO)) {
            return in.readAllBytes();
        }
    }

    /** A JPEG cut short: the soak's share of corrupted images, answered 400. */
    static byte[] corruptPhoto() throws IOException {
        byte[] p = photo();
        return java.util.Arrays.copyOf(p, p.length / 2);
    }

    /** Decode + preprocess of the photo on this thread: wall and CPU milliseconds per image after a warm-up. */
    static Map<String, Object> preprocessing(boolean quick) throws IOException {
        byte[] jpeg = photo();
        int warm = quick ? 50 : 300;
        int n = quick ? 100 : 500;
        for (int i = 0; i < warm; i++) {
            ImageTransform.IMAGENET.apply(ImageDecoder.decode(jpeg, 50_000_000));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long decodeNanos = 0;
        for (int i = 0; i < n; i++) {
            long d0 = System.nanoTime();
            var image = ImageDecoder.decode(jpeg, 50_000_000);
            decodeNanos += System.nanoTime() - d0;
            ImageTransform.IMAGENET.apply(image);
        }
        double wall = (System.nanoTime() - t0) / 1e6 / n;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / n;
        Benchmark.log(String.format(Locale.ROOT, "  decode + preprocess of a 640x480 JPEG on one thread: %.2f ms (CPU %.2f ms; decode %.2f ms)",
                wall, cpu, decodeNanos / 1e6 / n));
        return Benchmark.map("image", "640x480 baseline JPEG, quality 90 (" + jpeg.length + " bytes)", "images", n,
                "ms_per_image", wall, "cpu_ms_per_image", cpu, "decode_ms_per_image", decodeNanos / 1e6 / n,
                "resize_crop_normalize_ms_per_image", wall - decodeNanos / 1e6 / n);
    }

    /** For each image model: at every concurrency a JPEG point, then a binary-tensor point, and their ratio; then alternating blocks. */
    static Map<String, Object> fromJpegAgainstTensor(Benchmark bench, ServerUnderTest server, List<ModelCase> models, boolean quick) throws Exception {
        Benchmark.log("images from JPEG against the binary tensor");
        byte[] jpeg = photo();
        Map<String, Object> points = new LinkedHashMap<>();
        Map<String, Object> alternating = new LinkedHashMap<>();
        for (ModelCase m : models) {
            if (m.rowShape().length != 3) {
                continue;
            }
            LoadRequest image = LoadRequest.post(server.uri("/predictions/" + m.name()), Map.of("Authorization", server.loadAuthorization(),
                    "Content-Type", "image/jpeg"), jpeg);
            ModelCase.Binary b = m.binaryBody(m.values(1, 5));
            LoadRequest tensor = LoadRequest.post(server.uri("/v2/models/" + m.name() + "/infer"), Map.of("Authorization", server.loadAuthorization(),
                    "Content-Type", "application/octet-stream", "Inference-Header-Content-Length", Integer.toString(b.headerLength())), b.body());
            List<Map<String, Object>> rows = new ArrayList<>();
            ClosedLoop.Result j = null;
            ClosedLoop.Result t = null;
            for (int c : Benchmark.CONCURRENCY) {
                j = bench.run(image, c, j);
                t = bench.run(tensor, c, t);
                Benchmark.check(m.name() + " from JPEG", j);
                Benchmark.check(m.name() + " from the binary tensor", t);
                rows.add(Benchmark.map("concurrency", c, "jpeg", Benchmark.point(j, null), "binary_tensor", Benchmark.point(t, null),
                        "jpeg_over_tensor_throughput", j.requestsPerSecond() / t.requestsPerSecond()));
                Benchmark.log(String.format(Locale.ROOT, "  %s c=%d: JPEG %.1f req/s p50 %.2f ms (server CPU %.0f us/req), binary tensor %.1f req/s"
                                + " p50 %.2f ms (%.0f us/req)", m.name(), c, j.requestsPerSecond(), j.latency().p50(), j.serverCpuMicrosPerRequest(),
                        t.requestsPerSecond(), t.latency().p50(), t.serverCpuMicrosPerRequest()));
            }
            points.put(m.name(), rows);
            alternating.put(m.name(), alternating(bench, image, tensor, ALTERNATING_CLIENTS, quick ? 6 : 8));
        }
        return Benchmark.map("points", points, "alternating", alternating);
    }

    /** The clients of the alternating measurement: resnet18 saturates this machine's two cores from 16. */
    static final int ALTERNATING_CLIENTS = 16;

    /**
     * The JPEG and the tensor at one saturating concurrency in alternating blocks (J T J T ...), their images/s the
     * requests answered over the time measured, all blocks together: the machine's drift over a run (other tenants,
     * the JIT, the clock) falls on both sides alike, where one point each, a minute apart, moved the ratio by ±0.1.
     */
    static Map<String, Object> alternating(Benchmark bench, LoadRequest image, LoadRequest tensor, int clients, int pairs) throws Exception {
        long jpegOk = 0;
        long tensorOk = 0;
        double jpegSeconds = 0;
        double tensorSeconds = 0;
        List<Double> pairRatios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            ClosedLoop.Result j = bench.run(image, clients, null);
            ClosedLoop.Result t = bench.run(tensor, clients, null);
            Benchmark.check("alternating JPEG", j);
            Benchmark.check("alternating tensor", t);
            jpegOk += j.ok();
            tensorOk += t.ok();
            jpegSeconds += j.seconds();
            tensorSeconds += t.seconds();
            pairRatios.add(j.requestsPerSecond() / t.requestsPerSecond());
        }
        double jpeg = jpegOk / jpegSeconds;
        double tensorRate = tensorOk / tensorSeconds;
        List<Double> sorted = pairRatios.stream().sorted().toList();
        double median = (sorted.get((pairs - 1) / 2) + sorted.get(pairs / 2)) / 2;
        Benchmark.log(String.format(Locale.ROOT, "  alternating at %d clients, %d pairs: JPEG %.1f images/s, tensor %.1f images/s, ratio %.3f"
                + " (pairs' median %.3f, from %.3f to %.3f)", clients, pairs, jpeg, tensorRate, jpeg / tensorRate, median, sorted.get(0), sorted.get(pairs - 1)));
        return Benchmark.map("clients", clients, "pairs", pairs, "jpeg_images_per_second", jpeg, "tensor_images_per_second", tensorRate,
                "jpeg_over_tensor", jpeg / tensorRate, "median_pair_ratio", median, "pair_ratios", pairRatios);
    }
}
