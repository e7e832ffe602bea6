package dev.seraphim.bench;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/** The benchmark's models on the server under test: registered, their settings read and changed through the API. */
final class ServedModels {
    private ServedModels() {
    }

    static String intraOpThreads(List<ModelCase> models) {
        return models.stream().map(m -> m.name() + " " + m.intraOpThreads()).collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * Fails the run unless the server runs each model with the intra-op threads the raw engine used: the ratios
     * compare one model's forward in two places, not two thread settings.
     */
    static void sameThreadsAsRaw(ServerUnderTest server, List<ModelCase> models) throws Exception {
        for (ModelCase m : models) {
            HttpResponse<String> r = server.send(server.request("/api/v1/models/" + m.name() + "/versions/1").GET().build());
            OptionalInt threads = r.statusCode() == 200 ? ModelCase.intraOpThreadsIn(r.body()) : OptionalInt.empty();
            if (threads.isEmpty()) {
                throw new IllegalStateException("could not read the intra-op threads of " + m.name() + ": " + r.statusCode() + " " + r.body());
            }
            if (threads.getAsInt() != m.intraOpThreads()) {
                throw new IllegalStateException("the server runs " + m.name() + " with " + threads.getAsInt()
                        + " intra-op threads, the raw engine ran it with " + m.intraOpThreads());
            }
        }
        Benchmark.log("  intra-op threads as in the raw engine: " + intraOpThreads(models));
    }

    /** The model's max_batch_size as the server runs it (its descriptor's, else the server's default), to go back to after the off points. */
    static int maxBatchSize(ServerUnderTest server, ModelCase m) throws Exception {
        HttpResponse<String> r = server.send(server.request("/api/v1/models/" + m.name() + "/versions/1").GET().build());
        OptionalInt size = r.statusCode() == 200 ? ModelCase.numberIn(r.body(), "max_batch_size") : OptionalInt.empty();
        if (size.isEmpty()) {
            throw new IllegalStateException("could not read the max_batch_size of " + m.name() + ": " + r.statusCode() + " " + r.body());
        }
        return size.getAsInt();
    }

    static void patch(ServerUnderTest server, ModelCase m, int maxBatch) throws Exception {
        HttpResponse<String> r = server.send(server.request("/api/v1/models/" + m.name() + "/versions/1").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"batching\":{\"max_batch_size\":" + maxBatch + "}}")).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("could not set max_batch_size of " + m.name() + ": " + r.statusCode() + " " + r.body());
        }
    }

    static void register(ServerUnderTest server, ModelCase m) throws Exception {
        String boundary = "bench-" + System.nanoTime();
        String metadata = "{\"name\":\"" + m.name() + "\",\"version\":\"1\",\"inputs\":[{\"name\":\"" + m.input() + "\",\"datatype\":\""
                + m.datatype() + "\",\"shape\":[-1,3,224,224]}],\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,1000]}],"
                // batches of up to 8 images, as the demo store's image model (tiny-cnn): resnet18's rows per second here fall
                // beyond batch 8 (run 20261203-144048: 90 rows/s at batch 4, 53-60 at 16-32 beside the server)
                + "\"batching\":{\"max_batch_size\":8},"
                // TorchServe's image classifier call, for the JPEG points: torchvision's ImageNet preprocessing, top 5
                + "\"handler\":{\"type\":\"image_classifier\"}}";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
                + metadata + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.pt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(m.file()));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = server.send(server.request("/api/v1/models").timeout(java.time.Duration.ofMinutes(5))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("registering " + m.name() + " failed: " + r.statusCode() + " " + r.body());
        }
    }

    /** The server's first start (its PostgreSQL created, the demo store imported), its cold start, and each model's load. */
    static Map<String, Object> start(ServerUnderTest server, java.nio.file.Path store, List<ModelCase> models) throws Exception {
        Benchmark.log("server first start (creates its PostgreSQL, imports the demo store)");
        long firstStart = server.start(store);
        server.close();
        Benchmark.log("server cold start (process start to ready, database and registry in place)");
        long coldStart = server.start(store);
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("first_start_ms", firstStart);
        start.put("cold_start_ms", coldStart);
        Map<String, Object> loads = new LinkedHashMap<>();
        for (ModelCase m : models) {
            if (m.fromDemoStore()) {
                loads.put(m.name(), Benchmark.map("load_ms", server.metric("seraphim_model_load_duration_seconds_sum", "model=\"" + m.name() + "\"") * 1000));
            }
        }
        for (ModelCase m : models) {
            if (!m.fromDemoStore()) {
                long t0 = System.nanoTime();
                register(server, m);
                loads.put(m.name(), Benchmark.map("load_ms", server.metric("seraphim_model_load_duration_seconds_sum", "model=\"" + m.name() + "\"") * 1000,
                        "register_call_ms", (System.nanoTime() - t0) / 1e6));
            }
        }
        start.put("model_load", loads);
        sameThreadsAsRaw(server, models);
        Benchmark.log("  first start " + firstStart + " ms, cold start " + coldStart + " ms, loads " + loads);
        return start;
    }
}
