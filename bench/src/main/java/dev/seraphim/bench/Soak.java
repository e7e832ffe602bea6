package dev.seraphim.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's soak: three models under load at once for minutes, the server's memory sampled throughout;
 * resident memory must not grow.
 */
final class Soak {
    private final LoadGenerator load;
    private final ServerCpu cpu;
    private final boolean quick;
    private final double soakMinutes;

    Soak(LoadGenerator load, ServerCpu cpu, boolean quick, double soakMinutes) {
        this.load = load;
        this.cpu = cpu;
        this.quick = quick;
        this.soakMinutes = soakMinutes;
    }

    Map<String, Object> run(ServerUnderTest server, List<ModelCase> models) throws Exception {
        Benchmark.log("soak: " + soakMinutes + " minutes at 5 clients (tabular-mlp, text-classifier, tiny-cnn, 1-2 each; a corrupted JPEG"
                + " to tiny-cnn's image handler, 1)");
        List<LoadRequest> requests = new ArrayList<>();
        for (ModelCase m : models.subList(0, 3)) {
            requests.add(Benchmark.inferRequest(server, m));
        }
        // a share of corrupted images (a JPEG cut in half, to tiny-cnn's image handler): each answered 400, and memory stays flat
        requests.add(LoadRequest.post(server.uri("/predictions/tiny-cnn"), java.util.Map.of("Authorization", server.loadAuthorization(),
                "Content-Type", "image/jpeg"), ImagePoints.corruptPhoto()));
        double warm = quick ? 5 : 60;
        parallel(server, requests, warm);
        double seconds = soakMinutes * 60;
        List<ServerMemory> samples = new ArrayList<>();
        Optional<long[]> heap = ServerMemory.heapOf(server);
        samples.add(ServerMemory.sample(server, heap, 0));
        double allocated0 = server.metric("seraphim_native_allocated_bytes");
        Thread sampler = memorySampler(server, heap, samples, Math.max(5, seconds / 20));
        List<ClosedLoop.Result> results;
        try {
            results = parallel(server, requests, seconds);
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        samples.add(ServerMemory.sample(server, heap, seconds));
        ServerMemory first = samples.get(0);
        ServerMemory last = samples.get(samples.size() - 1);
        double allocated1 = server.metric("seraphim_native_allocated_bytes");
        ClosedLoop.Result corrupt = results.remove(results.size() - 1);
        if (corrupt.ok() > 0 || !corrupt.errorStatuses().keySet().stream().allMatch(k -> k == 400 || k == 0)) {
            throw new IllegalStateException("soak: corrupted images must each be answered 400, got " + corrupt.ok() + " answers and " + corrupt.errorStatuses());
        }
        long ok = results.stream().mapToLong(ClosedLoop.Result::ok).sum();
        long errors = results.stream().mapToLong(ClosedLoop.Result::errors).sum();
        if (errors > ok / 100) {
            throw new IllegalStateException("soak: " + errors + " of " + (ok + errors) + " requests failed");
        }
        Map<Integer, Long> statuses = new java.util.TreeMap<>();
        results.forEach(r -> r.errorStatuses().forEach((k, v) -> statuses.merge(k, v, Long::sum)));
        long rss0 = first.rssBytes();
        long rss1 = last.rssBytes();
        Map<String, Object> soak = Benchmark.map("minutes", soakMinutes, "requests", ok, "errors", errors, "error_statuses", statuses.toString(),
                "corrupted_images_refused", corrupt.errors(),
                "rss_start_bytes", rss0, "rss_end_bytes", rss1, "rss_growth", (double) (rss1 - rss0) / rss0,
                "javacpp_physical_start_bytes", first.javacppPhysicalBytes(), "javacpp_physical_end_bytes", last.javacppPhysicalBytes(),
                "javacpp_allocated_start_bytes", allocated0, "javacpp_allocated_end_bytes", allocated1);
        if (first.outsideHeapBytes() != null && last.outsideHeapBytes() != null) {
            soak.put("heap_committed_start_bytes", first.heapCommittedBytes());
            soak.put("heap_committed_end_bytes", last.heapCommittedBytes());
            soak.put("heap_resident_start_bytes", first.heapResidentBytes());
            soak.put("heap_resident_end_bytes", last.heapResidentBytes());
            soak.put("rss_outside_heap_growth", (double) (last.outsideHeapBytes() - first.outsideHeapBytes()) / rss0);
        }
        List<Map<String, Object>> series = new ArrayList<>();
        for (ServerMemory m : samples) {
            series.add(Benchmark.map("seconds", m.seconds(), "rss_bytes", m.rssBytes(), "heap_committed_bytes", m.heapCommittedBytes(),
                    "heap_resident_bytes", m.heapResidentBytes(), "javacpp_physical_bytes", m.javacppPhysicalBytes()));
        }
        soak.put("memory_samples", series);
        Benchmark.log("  " + soak);
        return soak;
    }

    /**
     * Samples the server's memory every {@code interval} seconds into {@code samples} until interrupted; a sample
     * that fails is logged and skipped, since the soak's own figures are taken at its ends.
     */
    private static Thread memorySampler(ServerUnderTest server, Optional<long[]> heap, List<ServerMemory> samples, double interval) {
        long start = System.nanoTime();
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep((long) (interval * 1000));
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    ServerMemory m = ServerMemory.sample(server, heap, (System.nanoTime() - start) / 1e9);
                    synchronized (samples) {
                        samples.add(m);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    Benchmark.log("  soak memory sample failed: " + e);
                }
            }
        }, "soak-memory");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Runs every request's closed loop at the same time: the first with two clients, the others with one. */
    private List<ClosedLoop.Result> parallel(ServerUnderTest server, List<LoadRequest> requests, double seconds) throws Exception {
        ClosedLoop.Result[] results = new ClosedLoop.Result[requests.size()];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            LoadRequest r = requests.get(i);
            int clients = i == 0 ? 2 : 1;
            int slot = i;
            Thread t = new Thread(() -> {
                try {
                    ClosedLoop.Result res = load.run(r, clients, 0, seconds, cpu);
                    synchronized (results) {
                        results[slot] = res;
                    }
                } catch (Exception e) {
                    Benchmark.log("  soak load failed: " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long failed = java.util.Arrays.stream(results).filter(java.util.Objects::isNull).count();
        if (failed > 0) {
            throw new IllegalStateException("soak: " + failed + " of its load generators failed (see the log above)");
        }
        return new ArrayList<>(List.of(results));  // in the order of the requests

    }
}
