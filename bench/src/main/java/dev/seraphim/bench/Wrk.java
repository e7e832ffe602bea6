package dev.seraphim.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk as the closed-loop load generator: one wrk thread (an epoll loop) with one keep-alive connection per
 * client, the request's method, headers and body set by a Lua script, and the counts and latency percentiles
 * printed by the script's {@code done} hook. A warm-up run precedes the measured run.
 */
final class Wrk implements LoadGenerator {
    private static final Pattern RESULT = Pattern.compile("WRK_RESULT (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)");

    static boolean installed() {
        try {
            Process p = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String description() {
        return "wrk 4.1 (Debian), closed loop, one keep-alive connection per client on one wrk thread";
    }

    @Override
    public ClosedLoop.Result run(LoadRequest request, int concurrency, double warmupSeconds, double seconds, ServerCpu cpu) throws Exception {
        Path dir = Files.createTempDirectory("seraphim-wrk");
        try {
            Path script = script(request, dir);
            if (warmupSeconds > 0) {
                wrk(request, script, concurrency, warmupSeconds);
            }
            double cpu0 = cpu.seconds();
            ClosedLoop.Result r = wrk(request, script, concurrency, seconds);
            double used = cpu.seconds() - cpu0;
            return new ClosedLoop.Result(r.concurrency(), r.seconds(), r.ok(), r.errors(), r.requestsPerSecond(), r.latency(),
                    r.errorStatuses(), used);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static ClosedLoop.Result wrk(LoadRequest request, Path script, int concurrency, double seconds) throws Exception {
        // wrk takes whole seconds
        long secs = Math.max(1, Math.round(seconds));
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "-c" + concurrency, "-d" + secs + "s", "--timeout", "60s",
                "-s", script.toString(), request.uri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(secs + 120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Matcher m = RESULT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no result: " + out);
        }
        double durationSeconds = Double.parseDouble(m.group(1)) / 1e6;
        long requests = Long.parseLong(m.group(2));
        long non2xx = Long.parseLong(m.group(3));
        long socketErrors = Long.parseLong(m.group(4));
        long empty = Long.parseLong(m.group(10));
        long ok = requests - non2xx - empty;
        Map<Integer, Long> statuses = new TreeMap<>();
        if (non2xx > 0) {
            statuses.put(0, non2xx); // wrk does not say which status: 0 stands for "not 2xx"
        }
        if (socketErrors > 0) {
            statuses.put(-1, socketErrors);
        }
        if (empty > 0) {
            statuses.put(ClosedLoop.EMPTY_ANSWER, empty);
        }
        LatencyStats latency = new LatencyStats(ok, micros(m.group(5)), micros(m.group(6)), micros(m.group(7)), micros(m.group(8)),
                micros(m.group(9)));
        return new ClosedLoop.Result(concurrency, durationSeconds, ok, non2xx + socketErrors + empty, ok / durationSeconds, latency, statuses, Double.NaN);
    }

    private static double micros(String v) {
        return Double.parseDouble(v) / 1000;
    }

    private static Path script(LoadRequest request, Path dir) throws IOException {
        StringBuilder lua = new StringBuilder("wrk.method = \"").append(request.method()).append("\"\n");
        if (request.body() != null) {
            Path body = dir.resolve("body");
            Files.write(body, request.body());
            lua.append("local f = assert(io.open(\"").append(body).append("\", \"rb\"))\nwrk.body = f:read(\"*a\")\nf:close()\n");
        }
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            lua.append("wrk.headers[\"").append(h.getKey()).append("\"] = \"").append(h.getValue().replace("\"", "")).append("\"\n");
        }
        // an inference answered 2xx without a body is a lost answer (Liberty once did that under load: docs/architecture.md,
        // "Answers written away from the request's thread"); each wrk thread counts them, and done() adds the threads' counts up
        lua.append("""
                local threads = {}
                function setup(thread)
                  table.insert(threads, thread)
                end
                function init(args)
                  empty = 0
                end
                """);
        if (request.body() != null) {
            lua.append("""
                    function response(status, headers, body)
                      if status >= 200 and status < 300 and (body == nil or #body == 0) then
                        empty = empty + 1
                      end
                    end
                    """);
        }
        lua.append("""
                function done(summary, latency, requests)
                  local e = summary.errors
                  local empty = 0
                  for _, thread in ipairs(threads) do
                    empty = empty + (thread:get("empty") or 0)
                  end
                  io.write(string.format("WRK_RESULT %d %d %d %d %f %f %f %f %f %d\\n", summary.duration, summary.requests,
                    e.status, e.connect + e.read + e.write + e.timeout, latency.mean, latency:percentile(50),
                    latency:percentile(95), latency:percentile(99), latency.max, empty))
                end
                """);
        Path script = dir.resolve("load.lua");
        Files.writeString(script, lua);
        return script;
    }
}
