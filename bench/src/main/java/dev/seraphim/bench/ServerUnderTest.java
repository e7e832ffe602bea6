package dev.seraphim.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Seraphim server the build provisioned ({@code seraphim-bench}, the EAR in its dropins), started with its
 * normal configuration except what a benchmark needs: its own ports, database and stores, a bootstrap key made
 * for the run, /metrics without a key (so the run can read batch sizes and native memory), and room for resnet18.
 */
final class ServerUnderTest implements AutoCloseable {
    static final int HTTP_PORT = 28080;
    static final int GRPC_PORT = 28081;

    private final Path wlp;
    private final String name;
    private final Path work;
    final String key;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    ServerUnderTest(Path wlp, String name, Path work) {
        this.wlp = wlp;
        this.name = name;
        this.work = work;
        this.key = "bench-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + Long.toHexString(System.nanoTime());
    }

    /** Starts the server and waits until /health/ready answers 200; the milliseconds from process start to ready. */
    long start(Path modelStore) throws IOException, InterruptedException {
        Files.createDirectories(work);
        ProcessBuilder pb = new ProcessBuilder(wlp.resolve("bin/server").toString(), "start", name).redirectErrorStream(true)
                .redirectOutput(work.resolve("server-start.log").toFile());
        Map<String, String> env = pb.environment();
        env.putAll(environment(modelStore));
        long begin = System.nanoTime();
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("server start failed: " + Files.readString(work.resolve("server-start.log")));
        }
        long deadline = begin + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/health/ready").statusCode() == 200) {
                    return (System.nanoTime() - begin) / 1_000_000;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the server was not ready within 3 minutes; see " + wlp.resolve("usr/servers/" + name + "/logs"));
    }

    private Map<String, String> environment(Path modelStore) {
        Map<String, String> env = new HashMap<>();
        env.put("SERAPHIM_HTTP_PORT", Integer.toString(HTTP_PORT));
        env.put("SERAPHIM_HTTPS_PORT", "28443");
        env.put("SERAPHIM_GRPC_PORT", Integer.toString(GRPC_PORT));
        env.put("SERAPHIM_DB_EMBEDDED_PORT", "55439");
        env.put("SERAPHIM_DB_EMBEDDED_DIR", work.resolve("postgres").toString());
        env.put("SERAPHIM_MODEL_STORE", modelStore.toString());
        env.put("SERAPHIM_REGISTRY_STORE", work.resolve("registry").toString());
        env.put("SERAPHIM_BACKUP_DIR", work.resolve("backups").toString());
        env.put("SERAPHIM_RETRAIN_DIR", work.resolve("retrain").toString());
        env.put("SERAPHIM_BOOTSTRAP_ADMIN_KEY", key);
        env.put("SERAPHIM_METRICS_AUTHENTICATION", "false");
        env.put("SERAPHIM_REGISTRY_MAX_UPLOAD_BYTES", Long.toString(512L << 20));
        env.put("SERAPHIM_API_MAX_BODY_BYTES", Long.toString(64L << 20));
        return env;
    }

    private String loadKey;

    /**
     * A client key for the load, its rate limit far above what two cores serve: the bootstrap admin key's default
     * limit (500 requests/s) would be the bottleneck otherwise.
     */
    void createLoadKey() throws IOException, InterruptedException {
        HttpResponse<String> r = send(request("/api/v1/keys").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"name\":\"bench-load\",\"role\":\"client\",\"rate_per_second\":1000000,\"burst\":1000000}")).build());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("could not create the load key: " + r.statusCode() + " " + r.body());
        }
        String body = r.body();
        int i = body.indexOf("\"secret\":\"") + 10;
        loadKey = body.substring(i, body.indexOf('"', i));
    }

    /** The Authorization header of the load (inference requests): the load key once created. */
    String loadAuthorization() {
        return "Bearer " + (loadKey != null ? loadKey : key);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + HTTP_PORT + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The server's process id, from Liberty's pid file. */
    Optional<Long> pid() throws IOException {
        Path pidFile = wlp.resolve("usr/servers/.pid/" + name + ".pid");
        return Files.exists(pidFile) ? Optional.of(Long.parseLong(Files.readString(pidFile).trim())) : Optional.empty();
    }

    static final double IDLE_CORES = 0.05;
    static final double MOST_IDLE_WAIT_SECONDS = 60;

    /**
     * Waits until the server process uses at most {@link #IDLE_CORES} of a core over one second (at most
     * {@link #MOST_IDLE_WAIT_SECONDS}): a closed loop's clients stop at once, but a saturated server still works
     * through what they had queued (resnet18 at 64 clients: requests of up to 2.8 s), and a raw pass measured then
     * shares the cores with it. Returns the seconds waited and the last second's cores.
     */
    double[] awaitIdle() throws IOException, InterruptedException {
        Optional<Long> pid = pid();
        Path stat = pid.map(p -> Path.of("/proc/" + p + "/stat")).filter(Files::exists).orElse(null);
        long start = System.nanoTime();
        if (stat == null) {
            Thread.sleep(5000); // no /proc: a few seconds for what was queued
            return new double[]{5, Double.NaN};
        }
        double ticksPerSecond = CompilerThreads.clockTicksPerSecond();
        double cores;
        do {
            long before = CompilerThreads.cpuTicks(Files.readString(stat));
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            long after = CompilerThreads.cpuTicks(Files.readString(stat));
            cores = (after - before) / ticksPerSecond / ((System.nanoTime() - t0) / 1e9);
        } while (cores > IDLE_CORES && (System.nanoTime() - start) / 1e9 < MOST_IDLE_WAIT_SECONDS);
        return new double[]{(System.nanoTime() - start) / 1e9, cores};
    }

    /** Resident set size of the server process in bytes (VmRSS). */
    long rssBytes() throws IOException {
        long pid = pid().orElseThrow(() -> new IllegalStateException("no pid file for " + name));
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** One series of the Prometheus text of /metrics, summed over the series that contain every fragment. */
    double metric(String name, String... fragments) throws IOException, InterruptedException {
        String text = get("/metrics").body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String f : fragments) {
                all &= line.contains(f);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", name).redirectErrorStream(true)
                .redirectOutput(work.resolve("server-stop.log").toFile()).start().waitFor();
    }
}
