package dev.seraphim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run, side by side: the raw libtorch engine in this process, then the Seraphim server on the same machine
 * under a closed-loop load (batching on and off), the HTTP floor, JSON against binary tensors, cold start and
 * model loads, and a soak. Writes report.json, report.md and throughput.png; exits non-zero only when the run
 * itself failed (the server did not start, a phase could not run, most requests of a point failed).
 *
 * <p>Usage: {@code bench/run [--quick] [--soak-minutes N] [--out DIR] [--load wrk|java]} (default: wrk when installed).
 */
public final class Benchmark {
    static final int[] BATCHES = {1, 2, 4, 8, 16, 32};
    static final int[] CONCURRENCY = {1, 4, 16, 64};

    private final Path root;
    private final boolean quick;
    final double warmup;
    final double seconds;
    private final double soakMinutes;
    private final Path out;
    private final LoadGenerator load;
    private final Map<String, Object> report = new LinkedHashMap<>();
    /** The served process's CPU meter, once the server runs (soak's parallel loads share one process too). */
    ServerCpu cpu = ServerCpu.NONE;
    /** The models whose points are bracketed by raw forwards, each loaded once in this process. */
    private final Map<String, RawEngine.Loaded> bracketEngines = new LinkedHashMap<>();

    private Benchmark(Path root, boolean quick, double soakMinutes, Path out, String loadWanted) {
        this.root = root;
        this.load = LoadGenerator.choose(loadWanted);
        this.quick = quick;
        this.warmup = quick ? 0.5 : 2;
        this.seconds = quick ? 1.5 : 6;
        this.soakMinutes = soakMinutes;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".").toAbsolutePath().normalize();
        boolean quick = false;
        double soak = 10;
        Path out = null;
        String load = "auto";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--soak-minutes" -> soak = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--load" -> load = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --quick, --soak-minutes N, --out DIR, --load wrk|java");
            }
        }
        if (quick && soak == 10) {
            soak = 0.5;
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        if (out == null) {
            out = root.resolve("bench/results/" + stamp);
        }
        Files.createDirectories(out);
        try {
            new Benchmark(root, quick, soak, out, load).run();
        } catch (Exception e) {
            System.err.println("benchmark run FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Path store = root.resolve("server-config/model-store");
        Path resnetFile = root.resolve("../shared/fixtures/models/resnet18.pt").normalize();
        List<ModelCase> models = new ArrayList<>(List.of(ModelCase.tabular(store), ModelCase.text(store), ModelCase.tinyCnn(store)));
        if (Files.exists(resnetFile)) {
            models.add(ModelCase.resnet(resnetFile));
        }
        report.put("machine", Machine.describe(root));
        report.put("settings", Map.of("warmup_seconds", warmup, "seconds_per_point", seconds, "soak_minutes", soakMinutes,
                "quick", quick, "load_generator", load.description() + ", on the same " + Runtime.getRuntime().availableProcessors()
                        + " cores as the server",
                "threads", "server and raw engine: libtorch intra-op threads per model " + ServedModels.intraOpThreads(models)
                        + " (the demo store's intra_op_threads, else one per core: " + Runtime.getRuntime().availableProcessors()
                        + "), inter-op 1, OpenBLAS 1; server batching default max 32 rows (tiny-cnn and resnet18 8), no delay (a free worker takes what is queued), 1 worker; batching off = max_batch_size 1",
                "graph_optimization", "server and raw engine: " + RawEngine.PREPARATION.mode().name().toLowerCase(java.util.Locale.ROOT)
                        + " (" + RawEngine.PREPARATION.reason() + ")"));

        java.time.Instant runStart = java.time.Instant.now();
        Map<String, List<RawEngine.Point>> besideServed = new LinkedHashMap<>();
        Map<String, List<RawEngine.Point>> besideBinary = new LinkedHashMap<>();
        log("raw engine, first pass");
        RawEngine.configure();
        Map<String, List<RawEngine.Point>> firstPass = rawPass(models);

        Path wlp = root.resolve("ear/target/liberty/wlp");
        Path work = out.resolve("server");
        deleteTree(work); // the server's scratch of an earlier run into the same directory: start from nothing
        try (ServerUnderTest server = new ServerUnderTest(wlp, "seraphim-bench", work); AutoCloseable engines = this::closeBracketEngines) {
            report.put("start", ServedModels.start(server, store, models));
            cpu = ServerCpu.of(server.pid());
            server.createLoadKey();
            log("warm-up: each model at 16 clients until the server's JIT compiler threads fall quiet (Liberty on two cores keeps compiling for minutes)");
            Map<String, Object> warmUps = new LinkedHashMap<>();
            WarmUp warmUp = new WarmUp(load, cpu, quick);
            report.put("warm_up", warmUps);

            Map<String, Object> served = new LinkedHashMap<>();
            Map<String, List<Map<String, Object>>> floors = new LinkedHashMap<>();
            for (ModelCase m : models) {
                LoadRequest request = inferRequest(server, m);
                warmUps.put(m.name(), warmUp.run(server, m, request));
                besideServed.put(m.name(), rawBeside(server, m, "served points"));
                Map<String, LoadRequest> besides = new LinkedHashMap<>();
                if (floors.isEmpty()) {
                    // the floors at each concurrency right after the first model's points, so that both meet the machine in the same state
                    besides.put("http_floor", LoadRequest.get(server.uri("/v2/health/live"), Map.of()));
                    besides.put("authenticated_floor", LoadRequest.get(server.uri("/v2/models/" + m.name()),
                            Map.of("Authorization", server.loadAuthorization())));
                    besides.keySet().forEach(k -> floors.put(k, new ArrayList<>()));
                    report.put("floor_beside", m.name());
                }
                int bracketBatch = RawEngine.bestBatch(List.of(firstPass.get(m.name()), besideServed.get(m.name())));
                served.put(m.name(), sweepOnAndOff(server, m, request, bracketBatch, besides, floors));
            }
            report.put("served", served);
            floors.forEach(report::put);

            log("JSON against binary tensors");
            Map<String, Object> binary = new LinkedHashMap<>();
            for (ModelCase m : models) {
                if (m.rowElements() < 1000) {
                    continue;
                }
                besideBinary.put(m.name(), rawBeside(server, m, "JSON and binary points"));
                int bracketBatch = RawEngine.bestBatch(List.of(firstPass.get(m.name()), besideServed.get(m.name()), besideBinary.get(m.name())));
                ModelCase.Binary b = m.binaryBody(m.values(1, 3));
                LoadRequest json = inferRequest(server, m);
                LoadRequest jsonDoubles = inferRequest(server, m, true);
                LoadRequest bin = LoadRequest.post(server.uri("/v2/models/" + m.name() + "/infer"), Map.of("Authorization", server.loadAuthorization(),
                        "Content-Type", "application/octet-stream", "Inference-Header-Content-Length", Integer.toString(b.headerLength())), b.body());
                List<Map<String, Object>> rows = new ArrayList<>();
                ClosedLoop.Result j = null;
                ClosedLoop.Result k = null;
                ClosedLoop.Result d = null;
                boolean bracket = bracketed(m);
                for (int c : CONCURRENCY) {
                    RawEngine.Point beforeJson = bracket ? rawNow(server, m, bracketBatch) : null;
                    j = run(json, c, j);
                    RawEngine.Point between = bracket ? rawNow(server, m, bracketBatch) : null;
                    k = run(bin, c, k);
                    RawEngine.Point afterBinary = bracket ? rawNow(server, m, bracketBatch) : null;
                    // after the bracketed pair, so that their brackets stay next to them
                    d = run(jsonDoubles, c, d);
                    check(m.name() + " JSON", j);
                    check(m.name() + " binary", k);
                    check(m.name() + " JSON with floats printed as doubles", d);
                    Map<String, Object> jsonPoint = point(j, null);
                    Map<String, Object> binaryPoint = point(k, null);
                    if (bracket) {
                        jsonPoint.put(RAW_BRACKET, RawEngine.bracket(beforeJson, between));
                        binaryPoint.put(RAW_BRACKET, RawEngine.bracket(between, afterBinary));
                    }
                    rows.add(map("concurrency", c, "json", jsonPoint, "binary", binaryPoint,
                            "binary_over_json_throughput", k.requestsPerSecond() / j.requestsPerSecond(), JSON_DOUBLES, point(d, null)));
                    log(String.format(Locale.ROOT, "  %s c=%d: JSON %.1f req/s p50 %.2f ms, binary %.1f req/s p50 %.2f ms,"
                                    + " JSON with floats as doubles %.1f req/s p50 %.2f ms", m.name(), c, j.requestsPerSecond(),
                            j.latency().p50(), k.requestsPerSecond(), k.latency().p50(), d.requestsPerSecond(), d.latency().p50()));
                }
                binary.put(m.name(), rows);
            }
            report.put("json_vs_binary", binary);
            report.put("image_preprocessing", ImagePoints.preprocessing(quick));
            report.put("jpeg_vs_tensor", ImagePoints.fromJpegAgainstTensor(this, server, models, quick));
            report.put("grpc", GrpcPoints.run(this, server, models));

            report.put("soak", new Soak(load, cpu, quick, soakMinutes).run(server, models));
        }
        report.put("server_log", ServerLog.since(wlp.resolve("usr/servers/seraphim-bench/logs"), runStart));
        log("  server log since the run began: " + report.get("server_log"));
        log("raw engine, second pass (the server stopped)");
        Map<String, Map<String, List<RawEngine.Point>>> beside = new LinkedHashMap<>();
        beside.put(Targets.BESIDE_SERVED, besideServed);
        beside.put(Targets.BESIDE_BINARY, besideBinary);
        report.put("raw", RawEngine.ceiling(firstPass, rawPass(models), beside));
        report.put("targets", Targets.evaluate(report));
        Files.writeString(out.resolve("report.json"), JsonText.of(report));
        Files.writeString(out.resolve("report.md"), ReportMarkdown.of(report));
        Plot.write(out.resolve("throughput.png"), "Seraphim served (on this machine)", ReportMarkdown.panels(report));
        log("report written to " + out);
    }

    /** One pass of the raw engine over every model and batch. */
    private Map<String, List<RawEngine.Point>> rawPass(List<ModelCase> models) {
        Map<String, List<RawEngine.Point>> pass = new LinkedHashMap<>();
        for (ModelCase m : models) {
            pass.put(m.name(), rawPoints(m));
        }
        return pass;
    }

    /** One model's raw forwards at every batch, logged. */
    private List<RawEngine.Point> rawPoints(ModelCase m) {
        List<RawEngine.Point> points = RawEngine.measure(m, BATCHES, quick ? 0.3 : 1.5);
        for (RawEngine.Point p : points) {
            log(String.format(Locale.ROOT, "  %s batch %d: %.3f ms, %.0f rows/s", m.name(), p.batch(), p.msPerForward(), p.rowsPerSecond()));
        }
        return points;
    }

    /** The raw engine for one model while the server, warm, stands idle: just before that model's served points. */
    private List<RawEngine.Point> rawBeside(ServerUnderTest server, ModelCase m, String what) throws IOException, InterruptedException {
        double[] idle = server.awaitIdle();
        log(String.format(Locale.ROOT, "raw engine beside %s's %s (the server idle: %.2f of a core over the last second, after %.0f s)",
                m.name(), what, idle[1], idle[0]));
        @SuppressWarnings("unchecked")
        Map<String, Object> waits = (Map<String, Object>) report.computeIfAbsent("raw_beside_server_idle", k -> new LinkedHashMap<String, Object>());
        waits.put(m.name() + ", before its " + what, map("waited_seconds", idle[0], "server_cores_last_second", idle[1]));
        return rawPoints(m);
    }

    /** The report's field, in a bracketed point, of the raw forwards just before and after it ({@link RawEngine#bracket}). */
    static final String RAW_BRACKET = "raw_bracket";
    /** The report's field, in a JSON-against-binary row, of the JSON point whose floats were printed as doubles. */
    static final String JSON_DOUBLES = "json_floats_as_doubles";
    static final double BRACKET_SECONDS = 2;

    /**
     * Whether a model's points are bracketed by raw forwards: those of the models with a served/raw target, at every
     * concurrency, since which point saturates is known only afterwards (resnet18 in a quick run: 4 clients). The raw
     * pass beside a model's points runs a minute or more before its saturated points, and this machine changed speed
     * in less (run 20261203-131110: resnet18's binary points at 1.07 of that pass).
     */
    static boolean bracketed(ModelCase m) {
        return Targets.SERVED_OVER_RAW.containsKey(m.name());
    }

    /** The raw forward at one batch, now, once the server is idle: one side of a bracket around a served point. */
    private RawEngine.Point rawNow(ServerUnderTest server, ModelCase m, int batch) throws IOException, InterruptedException {
        double[] idle = server.awaitIdle();
        RawEngine.Point p = bracketEngines.computeIfAbsent(m.name(), k -> RawEngine.Loaded.of(m)).measure(batch, quick ? 0.5 : BRACKET_SECONDS);
        log(String.format(Locale.ROOT, "    raw %s batch %d: %.0f rows/s (server idle after %.0f s: %.2f of a core)", m.name(), batch,
                p.rowsPerSecond(), idle[0], idle[1]));
        return p;
    }

    private void closeBracketEngines() {
        bracketEngines.values().forEach(RawEngine.Loaded::close);
        bracketEngines.clear();
    }

    /** One served point, as long as {@link #pointLength} makes it after the previous point of the same series. */
    ClosedLoop.Result run(LoadRequest request, int clients, ClosedLoop.Result previous) throws Exception {
        double[] length = previous == null ? new double[]{warmup, seconds}
                : pointLength(warmup, seconds, previous.latency().p50(), previous.concurrency(), clients);
        return load.run(request, clients, length[0], length[1], cpu);
    }

    private static final int REQUESTS_PER_POINT = 5;
    private static final double MOST_POINT_WARMUP_SECONDS = 20;
    private static final double MOST_POINT_SECONDS = 45;

    /** How {@link #pointLength} decides, for the report. */
    static final String POINT_RULE = String.format(Locale.ROOT, "longer where the series' previous point, scaled to this point's"
            + " clients, foretells a longer request: at least one such request of warm-up and %d measured (at most %.0f s and %.0f s)",
            REQUESTS_PER_POINT, MOST_POINT_WARMUP_SECONDS, MOST_POINT_SECONDS);

    /**
     * Warm-up and measured seconds of a point. In a closed loop a saturated server's request time grows with the
     * clients (Little's law), so the previous point's median scaled by the ratio of clients foretells this point's.
     * Every measured run begins with all clients sending at once (wrk's warm-up is a run of its own), and a run of
     * only a request or two measures that burst, not a steady state: resnet18 at 64 clients took 3.0-5.6 s per
     * request in 6 s points (run 20261202-004059). Five requests' worth dilutes the burst to a fifth at most.
     */
    static double[] pointLength(double warmup, double seconds, double previousP50Ms, int previousClients, int clients) {
        double request = previousP50Ms / 1000 * clients / Math.max(1, previousClients);
        return new double[]{Math.min(Math.max(warmup, request), Math.max(warmup, MOST_POINT_WARMUP_SECONDS)),
                Math.min(Math.max(seconds, REQUESTS_PER_POINT * request), Math.max(seconds, MOST_POINT_SECONDS))};
    }

    /**
     * Batching on and off, interleaved: at each concurrency the on point, then the off point, then a point of each
     * request in {@code besides} (batching back on), added to its list in {@code besideResults}; a {@link #bracketed} on
     * point between raw forwards at {@code bracketBatch}. Measured as two series
     * one after the other, the first series ran while the server was still getting faster after its warm-up, and
     * at one client, where both settings take the same path, "off" came out up to 2.4 times "on" in quick runs.
     */
    private Map<String, List<Map<String, Object>>> sweepOnAndOff(ServerUnderTest server, ModelCase m, LoadRequest request, int bracketBatch,
                                                                Map<String, LoadRequest> besides,
                                                                Map<String, List<Map<String, Object>>> besideResults) throws Exception {
        List<Map<String, Object>> on = new ArrayList<>();
        List<Map<String, Object>> off = new ArrayList<>();
        ClosedLoop.Result previousOn = null;
        ClosedLoop.Result previousOff = null;
        int configured = ServedModels.maxBatchSize(server, m);
        boolean bracket = bracketed(m);
        for (int c : CONCURRENCY) {
            RawEngine.Point before = bracket ? rawNow(server, m, bracketBatch) : null;
            previousOn = measure(server, m, request, c, previousOn, on, "on");
            if (bracket) {
                on.get(on.size() - 1).put(RAW_BRACKET, RawEngine.bracket(before, rawNow(server, m, bracketBatch)));
            }
            ServedModels.patch(server, m, 1);
            previousOff = measure(server, m, request, c, previousOff, off, "off");
            ServedModels.patch(server, m, configured);
            for (Map.Entry<String, LoadRequest> beside : besides.entrySet()) {
                ClosedLoop.Result r = load.run(beside.getValue(), c, warmup, seconds, cpu);
                check(beside.getKey() + " c=" + c, r);
                besideResults.get(beside.getKey()).add(point(r, null));
                log(String.format(Locale.ROOT, "  %s c=%d: %.1f req/s, p50 %.2f ms, p99 %.2f ms", beside.getKey(), c, r.requestsPerSecond(),
                        r.latency().p50(), r.latency().p99()));
            }
        }
        Map<String, List<Map<String, Object>>> modes = new LinkedHashMap<>();
        modes.put("batching_on", on);
        modes.put("batching_off", off);
        return modes;
    }

    private ClosedLoop.Result measure(ServerUnderTest server, ModelCase m, LoadRequest request, int c, ClosedLoop.Result previous,
                                      List<Map<String, Object>> points, String batching) throws Exception {
        double sum0 = server.metric("seraphim_batch_size_sum", "model=\"" + m.name() + "\"");
        double count0 = server.metric("seraphim_batch_size_count", "model=\"" + m.name() + "\"");
        ClosedLoop.Result r = run(request, c, previous);
        double sum1 = server.metric("seraphim_batch_size_sum", "model=\"" + m.name() + "\"");
        double count1 = server.metric("seraphim_batch_size_count", "model=\"" + m.name() + "\"");
        check(m.name() + " batching " + batching + " c=" + c, r);
        double meanBatch = count1 > count0 ? (sum1 - sum0) / (count1 - count0) : 0;
        points.add(point(r, meanBatch));
        log(String.format(Locale.ROOT, "  %s batching %s c=%d: %.1f req/s, p50 %.2f ms, p99 %.2f ms, mean batch %.2f, errors %d", m.name(),
                batching, c, r.requestsPerSecond(), r.latency().p50(), r.latency().p99(), meanBatch, r.errors()));
        return r;
    }


    static LoadRequest inferRequest(ServerUnderTest server, ModelCase m) {
        return inferRequest(server, m, false);
    }

    /** An OIP JSON request of one row; {@code floatsAsDoubles} as {@link ModelCase#jsonBody(double[], boolean)}. */
    static LoadRequest inferRequest(ServerUnderTest server, ModelCase m, boolean floatsAsDoubles) {
        return LoadRequest.post(server.uri("/v2/models/" + m.name() + "/infer"), Map.of("Authorization", server.loadAuthorization(),
                "Content-Type", "application/json"), m.jsonBody(m.values(1, 3), floatsAsDoubles));
    }

    static void check(String what, ClosedLoop.Result r) {
        if (r.errors() > r.ok()) {
            throw new IllegalStateException(what + ": " + r.errors() + " failed requests, " + r.ok() + " answered; statuses " + r.errorStatuses());
        }
    }

    static Map<String, Object> point(ClosedLoop.Result r, Double meanBatch) {
        Map<String, Object> p = map("concurrency", r.concurrency(), "requests_per_second", r.requestsPerSecond(),
                "p50_ms", r.latency().p50(), "p95_ms", r.latency().p95(), "p99_ms", r.latency().p99(), "mean_ms", r.latency().mean(),
                "requests", r.ok(), "errors", r.errors(), "measured_seconds", r.seconds(),
                "server_cpu_us_per_request", r.serverCpuMicrosPerRequest());
        if (meanBatch != null) {
            p.put("mean_batch_rows", meanBatch);
        }
        if (r.errors() > 0) {
            // which statuses (0: non-2xx from wrk, -1: socket errors, -2: a 2xx inference answer without a body), so that a stray error can be traced
            p.put("error_statuses", r.errorStatuses());
        }
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void log(String line) {
        System.out.println("[bench " + DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now()).substring(0, 8) + "] " + line);
    }
}
