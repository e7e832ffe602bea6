package dev.seraphim.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator: {@code concurrency} threads, each sending its next request as soon as the last
 * one answered, for a warm-up and then a measured time. Latencies are client-side, send to last byte, of the
 * requests that complete inside the measured time.
 */
final class ClosedLoop {
    /** The error status under which a 2xx answer without a body is counted, where the request expects one. */
    static final int EMPTY_ANSWER = -2;

    record Result(int concurrency, double seconds, long ok, long errors, double requestsPerSecond, LatencyStats latency,
                  Map<Integer, Long> errorStatuses, double serverCpuSeconds) {
        /** The server's CPU time per request answered over the measured time, in microseconds (NaN without /proc). */
        double serverCpuMicrosPerRequest() {
            return ok == 0 ? Double.NaN : serverCpuSeconds / ok * 1e6;
        }
    }

    private ClosedLoop() {
    }

    /** {@code answerHasBody}: a 2xx answer without a body counts as an error (an inference always answers with one). */
    static Result run(HttpClient http, HttpRequest request, boolean answerHasBody, int concurrency, double warmupSeconds, double seconds,
                      ServerCpu cpu) throws InterruptedException {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long end = warmEnd + (long) (seconds * 1e9);
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        Map<Integer, Long> statuses = new TreeMap<>();
        Thread[] threads = new Thread[concurrency];
        for (int t = 0; t < concurrency; t++) {
            int id = t;
            latencies[t] = new long[4096];
            threads[t] = new Thread(() -> {
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        return;
                    }
                    int status;
                    try {
                        HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        status = answer.statusCode();
                        if (answerHasBody && status / 100 == 2 && answer.body().length == 0) {
                            status = EMPTY_ANSWER;
                        }
                    } catch (Exception e) {
                        status = -1;
                    }
                    long done = System.nanoTime();
                    // a request counts when it completes inside the measured time, however long it took
                    if (done < warmEnd || done > end) {
                        continue;
                    }
                    if (status != 200) {
                        errors.incrementAndGet();
                        synchronized (statuses) {
                            statuses.merge(status, 1L, Long::sum);
                        }
                        continue;
                    }
                    if (counts[id] == latencies[id].length) {
                        latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                    }
                    latencies[id][counts[id]++] = done - start;
                }
            }, "load-" + t);
            threads[t].setDaemon(true);
            threads[t].start();
        }
        Thread.sleep(Math.max(0, (warmEnd - System.nanoTime()) / 1_000_000));
        double cpu0 = cpu.seconds();
        for (Thread t : threads) {
            t.join();
        }
        double cpuSeconds = cpu.seconds() - cpu0;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < concurrency; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        return new Result(concurrency, seconds, total, errors.get(), total / seconds, LatencyStats.of(all, total), statuses, cpuSeconds);
    }
}
