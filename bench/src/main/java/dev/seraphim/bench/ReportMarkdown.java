package dev.seraphim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.md: every figure of the run in tables, with the served/raw ratios and the targets. */
final class ReportMarkdown {
    private ReportMarkdown() {
    }

    /** Each number of a list (a {@code List<Number>} as the report holds it) in {@code format}. */
    @SuppressWarnings("unchecked")
    static List<String> rounded(Object numbers, String format) {
        return ((List<Number>) numbers).stream().map(v -> f(format, v.doubleValue())).toList();
    }

    @SuppressWarnings("unchecked")
    static String of(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> m = (Map<String, Object>) r.get("machine");
        b.append("# Seraphim benchmark\n\n");
        b.append(f("Commit `%s`, %s. Machine: %s, %s cores, %.1f GiB, %s, %s.%n%n", m.get("commit"), m.get("date"), m.get("cpu"),
                m.get("cores"), ((Number) m.get("memory_bytes")).doubleValue() / (1L << 30), m.get("java"), m.get("os")));
        Map<String, Object> s = (Map<String, Object>) r.get("settings");
        b.append("Load generator: ").append(s.get("load_generator")).append(". Threads: ").append(s.get("threads"))
                .append(s.containsKey("graph_optimization") ? ". Models prepared by " + s.get("graph_optimization") : "")
                .append(f(". %s s warm-up and %s s measured per point, ", s.get("warmup_seconds"), s.get("seconds_per_point")))
                .append(Benchmark.POINT_RULE).append(".\n\n");
        Object warmUps = r.get("warm_up");
        if (warmUps instanceof Map<?, ?> w && !w.isEmpty()) {
            b.append("Before its points ").append(WarmUp.WARM_UP_RULE).append(':');
            w.forEach((model, warm) -> {
                Map<String, Object> u = (Map<String, Object>) warm;
                b.append(f(" %s %s req/s, compiler threads %s cores (%s);", model, rounded(u.get("requests_per_second"), "%.0f"),
                        rounded(u.get("compiler_cores"), "%.2f"), u.get("stopped")));
            });
            b.setLength(b.length() - 1);
            b.append(".\n\n");
        }

        b.append("## Targets\n\n| target | measured | goal | met | detail |\n| --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("targets")) {
            b.append(f("| %s | %.3f | %s %s | %s | %s |%n", t.get("target"), t.get("value"), t.get("op"), t.get("goal"),
                    Boolean.FALSE.equals(t.get("reliable")) ? "**unreliable**" : Boolean.TRUE.equals(t.get("met")) ? "yes" : "**no**", t.get("detail")));
        }

        b.append("\n## Raw engine (libtorch forward in one process)\n\nThe ceiling is the faster of a pass before the server started and"
                + " one after it stopped; \"beside served\" and \"beside binary\" were measured with the server warm and idle just before the"
                + " model's served points and its JSON and binary points, and are what the targets' ratios compare with.\n\n"
                + "| model | batch | ms per forward | rows/s (ceiling) | first pass rows/s | second pass rows/s | beside served ms | beside served rows/s"
                + " | beside binary rows/s |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        Map<String, Object> raw = (Map<String, Object>) r.get("raw");
        raw.forEach((model, points) -> {
            for (Map<String, Object> p : (List<Map<String, Object>>) points) {
                b.append(f("| %s | %s | %.3f | %.0f | %.0f | %.0f | %s | %s | %s |%n", model, p.get("batch"), p.get("ms_per_forward"), p.get("rows_per_second"),
                        p.get("first_pass_rows_per_second"), p.get("second_pass_rows_per_second"), optional(p.get(Targets.BESIDE_SERVED + "ms_per_forward"), "%.3f"),
                        optional(p.get(Targets.BESIDE_SERVED + "rows_per_second"), "%.0f"), optional(p.get(Targets.BESIDE_BINARY + "rows_per_second"), "%.0f")));
            }
        });

        Object waits = r.get("raw_beside_server_idle");
        if (waits instanceof Map<?, ?> w && !w.isEmpty()) {
            b.append(f("%nBefore each pass beside the served points the run waited until the server used at most %.2f of a core over a second"
                    + " (at most %.0f s):", ServerUnderTest.IDLE_CORES, ServerUnderTest.MOST_IDLE_WAIT_SECONDS));
            w.forEach((what, v) -> {
                Map<String, Object> idle = (Map<String, Object>) v;
                b.append(f(" %s %.0f s (%.2f);", what, idle.get("waited_seconds"), idle.get("server_cores_last_second")));
            });
            b.setLength(b.length() - 1);
            b.append(".\n");
        }

        Map<String, Object> served = (Map<String, Object>) r.get("served");
        b.append("\n## Served (OIP JSON, one row per request)\n\n| model | batching | clients | req/s | p50 ms | p95 ms | p99 ms | mean batch | errors"
                + " | served / raw best just before | served / raw ceiling | server CPU µs / request |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        served.forEach((model, modes) -> ((Map<String, Object>) modes).forEach((mode, points) -> {
            double rawBeside = Targets.bestRaw(raw, model, Targets.BESIDE_SERVED);
            double rawBest = Targets.bestRaw(raw, model);
            for (Map<String, Object> p : (List<Map<String, Object>>) points) {
                double rps = ((Number) p.get("requests_per_second")).doubleValue();
                b.append(f("| %s | %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %s | %.2f | %.2f | %s |%n", model, mode.replace("batching_", ""),
                        p.get("concurrency"), rps, p.get("p50_ms"), p.get("p95_ms"), p.get("p99_ms"), p.get("mean_batch_rows"),
                        p.get("errors"), rps / rawBeside, rps / rawBest, optional(p.get("server_cpu_us_per_request"), "%.0f")));
            }
        }));

        appendBrackets(b, served, (Map<String, Object>) r.get("json_vs_binary"));

        Object besideModel = r.get("floor_beside");
        List<Map<String, Object>> mlpOn = besideModel == null ? List.of() : Targets.on(served, (String) besideModel);
        b.append(f("%n## HTTP floor (on the same server, at each concurrency right after %s's points)%n%n"
                + "`GET /v2/health/live`: no key, no body, no model. `GET /v2/models/%s`: the model's metadata, with the API key.%n%n"
                + "| clients | live req/s | live p50 ms | live p99 ms | live server CPU µs / request | metadata with key req/s | metadata p50 ms | %s req/s (batching on) | over live | over metadata |%n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n", besideModel, besideModel, besideModel));
        List<Map<String, Object>> live = (List<Map<String, Object>>) r.get("http_floor");
        List<Map<String, Object>> keyed = (List<Map<String, Object>>) r.getOrDefault("authenticated_floor", List.of());
        for (int i = 0; i < live.size(); i++) {
            Map<String, Object> p = live.get(i);
            Map<String, Object> k = i < keyed.size() ? keyed.get(i) : Map.of();
            double served1 = i < mlpOn.size() ? ((Number) mlpOn.get(i).get("requests_per_second")).doubleValue() : Double.NaN;
            double keyedRps = Targets.number(k, "requests_per_second");
            b.append(f("| %s | %.1f | %.2f | %.2f | %s | %.1f | %s | %.1f | %.2f | %.2f |%n", p.get("concurrency"), p.get("requests_per_second"), p.get("p50_ms"),
                    p.get("p99_ms"), optional(p.get("server_cpu_us_per_request"), "%.0f"), keyedRps, optional(k.get("p50_ms"), "%.2f"), served1,
                    served1 / ((Number) p.get("requests_per_second")).doubleValue(), served1 / keyedRps));
        }

        b.append("\n## JSON against binary tensors (batching on)\n\nJSON prints each float as the shortest text that gives it back"
                + " (0.1); \"JSON, floats as doubles\" prints it as the double it widens to (0.10000000149011612), as Python clients"
                + " send float32 data (json.dumps of tolist()), measured after the JSON and binary points.\n\n"
                + "| model | clients | JSON req/s | JSON p50 ms | JSON CPU µs | binary req/s | binary p50 ms | binary CPU µs | binary / JSON"
                + " | JSON, floats as doubles, req/s | its p50 ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        ((Map<String, Object>) r.get("json_vs_binary")).forEach((model, rows) -> {
            for (Map<String, Object> row : (List<Map<String, Object>>) rows) {
                Map<String, Object> j = (Map<String, Object>) row.get("json");
                Map<String, Object> k = (Map<String, Object>) row.get("binary");
                Map<String, Object> d = (Map<String, Object>) row.getOrDefault(Benchmark.JSON_DOUBLES, Map.of());
                b.append(f("| %s | %s | %.1f | %.2f | %s | %.1f | %.2f | %s | %.2f | %s | %s |%n", model, row.get("concurrency"),
                        j.get("requests_per_second"), j.get("p50_ms"), optional(j.get("server_cpu_us_per_request"), "%.0f"),
                        k.get("requests_per_second"), k.get("p50_ms"), optional(k.get("server_cpu_us_per_request"), "%.0f"),
                        row.get("binary_over_json_throughput"), optional(d.get("requests_per_second"), "%.1f"), optional(d.get("p50_ms"), "%.2f")));
            }
        });

        if (r.get("jpeg_vs_tensor") instanceof Map<?, ?> jpeg) {
            Map<String, Object> pre = (Map<String, Object>) r.get("image_preprocessing");
            b.append(f("%n## Images from JPEG against the binary tensor (batching on)%n%nA %s sent raw to /predictions/{model} (the server"
                    + " decodes and preprocesses it), interleaved with the model's binary OIP tensor. Decode + preprocess on one thread:"
                    + " %.2f ms (CPU %.2f ms; decode %.2f ms).%n%n| model | clients | JPEG req/s | JPEG p50 ms | JPEG CPU µs | tensor req/s"
                    + " | tensor p50 ms | tensor CPU µs | JPEG / tensor |%n| --- | --- | --- | --- | --- | --- | --- | --- | --- |%n",
                    pre.get("image"), pre.get("ms_per_image"), pre.get("cpu_ms_per_image"), pre.get("decode_ms_per_image")));
            ((Map<String, Object>) jpeg.get("points")).forEach((model, rows) -> {
                for (Map<String, Object> row : (List<Map<String, Object>>) rows) {
                    Map<String, Object> j = (Map<String, Object>) row.get("jpeg");
                    Map<String, Object> t = (Map<String, Object>) row.get("binary_tensor");
                    b.append(f("| %s | %s | %.1f | %.2f | %s | %.1f | %.2f | %s | %.2f |%n", model, row.get("concurrency"),
                            j.get("requests_per_second"), j.get("p50_ms"), optional(j.get("server_cpu_us_per_request"), "%.0f"),
                            t.get("requests_per_second"), t.get("p50_ms"), optional(t.get("server_cpu_us_per_request"), "%.0f"),
                            row.get("jpeg_over_tensor_throughput")));
                }
            });
            if (jpeg.get("alternating") instanceof Map<?, ?> alternating) {
                b.append(f("%nAlternating blocks (JPEG, tensor, JPEG, ...) at one saturating concurrency, images/s over all blocks:%n%n"
                        + "| model | clients | pairs | JPEG images/s | tensor images/s | JPEG / tensor | pairs' median | pairs' ratios |%n"
                        + "| --- | --- | --- | --- | --- | --- | --- | --- |%n"));
                ((Map<String, Object>) alternating).forEach((model, v) -> {
                    Map<String, Object> a = (Map<String, Object>) v;
                    b.append(f("| %s | %s | %s | %.1f | %.1f | %.3f | %.3f | %s |%n", model, a.get("clients"), a.get("pairs"),
                            a.get("jpeg_images_per_second"), a.get("tensor_images_per_second"), a.get("jpeg_over_tensor"), a.get("median_pair_ratio"),
                            ((List<Double>) a.get("pair_ratios")).stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList()));
                });
            }
        }

        GrpcPoints.markdown(r, b);

        Map<String, Object> start = (Map<String, Object>) r.get("start");
        b.append(f("%n## Start%n%nCold start (process start to /health/ready 200, demo store): %s ms.%n%n| model | load ms |%n| --- | --- |%n",
                start.get("cold_start_ms")));
        ((Map<String, Object>) start.get("model_load")).forEach((model, v) ->
                b.append(f("| %s | %.0f |%n", model, ((Map<String, Object>) v).get("load_ms"))));

        Map<String, Object> soak = (Map<String, Object>) r.get("soak");
        b.append(f("%n## Soak%n%n%s minutes, %s requests, %s errors. RSS %.1f → %.1f MiB (%+.2f %%). JavaCPP physical %.1f → %.1f MiB,"
                        + " allocated %.1f → %.1f MiB.%n", soak.get("minutes"), soak.get("requests"), soak.get("errors"),
                mib(soak.get("rss_start_bytes")), mib(soak.get("rss_end_bytes")), ((Number) soak.get("rss_growth")).doubleValue() * 100,
                mib(soak.get("javacpp_physical_start_bytes")), mib(soak.get("javacpp_physical_end_bytes")),
                mib(soak.get("javacpp_allocated_start_bytes")), mib(soak.get("javacpp_allocated_end_bytes"))));
        if (soak.get("rss_outside_heap_growth") != null) {
            double outside0 = ((Number) soak.get("rss_start_bytes")).doubleValue() - ((Number) soak.get("heap_resident_start_bytes")).doubleValue();
            double outside1 = ((Number) soak.get("rss_end_bytes")).doubleValue() - ((Number) soak.get("heap_resident_end_bytes")).doubleValue();
            b.append(f("%nJava heap: committed %.1f → %.1f MiB, resident %.1f → %.1f MiB. Outside the heap (native, metaspace, code,"
                            + " stacks): %.1f → %.1f MiB, %+.2f %% of the start's RSS.%n",
                    mib(soak.get("heap_committed_start_bytes")), mib(soak.get("heap_committed_end_bytes")),
                    mib(soak.get("heap_resident_start_bytes")), mib(soak.get("heap_resident_end_bytes")),
                    outside0 / (1024 * 1024), outside1 / (1024 * 1024), ((Number) soak.get("rss_outside_heap_growth")).doubleValue() * 100));
        }
        List<Map<String, Object>> samples = (List<Map<String, Object>>) soak.get("memory_samples");
        if (samples != null && !samples.isEmpty()) {
            b.append(f("%n| s | RSS MiB | heap committed MiB | heap resident MiB | JavaCPP physical MiB |%n| --- | --- | --- | --- | --- |%n"));
            for (Map<String, Object> sample : samples) {
                b.append(f("| %.0f | %.1f | %s | %s | %.1f |%n", sample.get("seconds"), mib(sample.get("rss_bytes")),
                        sample.get("heap_committed_bytes") == null ? "-" : f("%.1f", mib(sample.get("heap_committed_bytes"))),
                        sample.get("heap_resident_bytes") == null ? "-" : f("%.1f", mib(sample.get("heap_resident_bytes"))),
                        mib(sample.get("javacpp_physical_bytes"))));
            }
        }

        Map<String, Object> log = (Map<String, Object>) r.get("server_log");
        if (log != null) {
            b.append(f("%n## Server log%n%nSince the run began: %s SEVERE lines, %s SRVE8504W (an async listener failed).%n",
                    log.get("severe_lines"), log.get("async_listener_failures")));
            for (Object line : (List<?>) log.get("first_severe_lines")) {
                b.append(f("%n    %s%n", line));
            }
        }
        return b.toString();
    }

    /** The points bracketed by raw forwards, each with its ratio and whether it counts. */
    @SuppressWarnings("unchecked")
    private static void appendBrackets(StringBuilder b, Map<String, Object> served, Map<String, Object> jsonVsBinary) {
        List<String> rows = new ArrayList<>();
        served.forEach((model, modes) -> Targets.on(served, model).forEach(p -> bracketRow(rows, model, "JSON, served points", p)));
        if (jsonVsBinary != null) {
            jsonVsBinary.forEach((model, points) -> ((List<Map<String, Object>>) points).forEach(row -> {
                bracketRow(rows, model, "JSON, JSON/binary points", (Map<String, Object>) row.get("json"));
                bracketRow(rows, model, "binary", (Map<String, Object>) row.get("binary"));
            }));
        }
        if (rows.isEmpty()) {
            return;
        }
        b.append(f("%n## Raw forwards bracketing the served points%n%nAt the batch best over the model's raw passes so far (before the server, beside its points), just before and just"
                + " after the point, the server idle each time; the ratio is against the faster of the two, and a point whose two differ by"
                + " more than %.0f %% does not count.%n%n| model | point | clients | served req/s | batch | raw before rows/s | raw after rows/s"
                + " | apart | served / raw | counts |%n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n", Targets.MOST_BRACKET_SPREAD * 100));
        rows.forEach(b::append);
    }

    @SuppressWarnings("unchecked")
    private static void bracketRow(List<String> rows, String model, String what, Map<String, Object> p) {
        Map<String, Object> k = (Map<String, Object>) p.get(Benchmark.RAW_BRACKET);
        if (k == null) {
            return;
        }
        double rps = Targets.number(p, "requests_per_second");
        double raw = Targets.number(k, "raw_rows_per_second");
        rows.add(f("| %s | %s | %s | %.1f | %s | %.1f | %.1f | %.0f %% | %.2f | %s |%n", model, what, p.get("concurrency"), rps, k.get("batch"),
                k.get("before_rows_per_second"), k.get("after_rows_per_second"), Targets.number(k, "spread") * 100, rps / raw,
                Targets.bracketCounts(rps, k) ? "yes" : "no"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<Plot.Series>> panels(Map<String, Object> r) {
        Map<String, List<Plot.Series>> panels = Plot.panels();
        List<Plot.Series> throughput = new ArrayList<>();
        List<Plot.Series> p99 = new ArrayList<>();
        ((Map<String, Object>) r.get("served")).forEach((model, modes) -> ((Map<String, Object>) modes).forEach((mode, points) ->
                addSeries(model + " " + mode.replace("batching_", "batching "), points, throughput, p99)));
        addSeries("floor: GET /v2/health/live", r.get("http_floor"), throughput, p99);
        addSeries("floor: keyed metadata GET", r.get("authenticated_floor"), throughput, p99);
        panels.put("requests/s", throughput);
        panels.put("p99 latency (ms)", p99);
        return panels;
    }

    /** One series of points (requests/s and p99 against the clients) in each panel; nothing where there are no points. */
    @SuppressWarnings("unchecked")
    private static void addSeries(String label, Object points, List<Plot.Series> throughput, List<Plot.Series> p99) {
        if (!(points instanceof List<?> list) || list.isEmpty()) {
            return;
        }
        List<double[]> t = new ArrayList<>();
        List<double[]> l = new ArrayList<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) points) {
            double c = ((Number) p.get("concurrency")).doubleValue();
            t.add(new double[]{c, ((Number) p.get("requests_per_second")).doubleValue()});
            l.add(new double[]{c, ((Number) p.get("p99_ms")).doubleValue()});
        }
        throughput.add(new Plot.Series(label, t));
        p99.add(new Plot.Series(label, l));
    }

    private static String optional(Object number, String format) {
        return number == null ? "" : f(format, ((Number) number).doubleValue());
    }

    private static double mib(Object bytes) {
        return ((Number) bytes).doubleValue() / (1 << 20);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
