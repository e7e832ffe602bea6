package dev.seraphim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The targets for this machine, each with the measured figure; reported, never asserted. A saturated served
 * figure is compared with raw forwards measured just before and just after its point (the server warm and idle), as
 * the machine's speed moved by up to half within one run and within minutes; the other figures with the raw pass just
 * before the model's points. The detail gives the ratio to the faster of the passes before and after the server too.
 */
final class Targets {
    private Targets() {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> evaluate(Map<String, Object> report) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Object> raw = (Map<String, Object>) report.get("raw");
        Map<String, Object> served = (Map<String, Object>) report.get("served");
        SERVED_OVER_RAW.forEach((model, target) -> {
            if (served.containsKey(model)) {
                double ceiling = bestRaw(raw, model);
                out.add(servedOverRaw(model + " served/raw rows per second at saturation", bestPoint(on(served, model)), "JSON",
                        bestRaw(raw, model, BESIDE_SERVED), ceiling, target));
                Map<String, Object> binary = (Map<String, Object>) report.get("json_vs_binary");
                if (binary != null && binary.containsKey(model)) {
                    List<Map<String, Object>> points = ((List<Map<String, Object>>) binary.get(model)).stream()
                            .map(row -> (Map<String, Object>) row.get("binary")).toList();
                    out.add(servedOverRaw(model + " served/raw rows per second at saturation, binary tensors", bestPoint(points),
                            "binary tensor data", bestRaw(raw, model, BESIDE_BINARY), ceiling, target));
                }
            }
        });
        double floor = best((List<Map<String, Object>>) report.get("http_floor"));
        double keyed = best((List<Map<String, Object>>) report.get("authenticated_floor"));
        double mlp = best(on(served, "tabular-mlp"));
        out.add(target("tabular-mlp requests/s over the no-op floor", mlp / floor, ">=", 0.80,
                String.format("%.0f req/s vs %.0f req/s on GET /v2/health/live, measured at each concurrency beside tabular-mlp's;"
                        + " %.2f of the %.0f req/s of GET /v2/models/tabular-mlp with the API key", mlp, floor, mlp / keyed, keyed)));
        double p50 = Math.min(at(on(served, "tabular-mlp"), 1, "p50_ms"), at(off(served, "tabular-mlp"), 1, "p50_ms"));
        double raw1 = rawAt(raw, "tabular-mlp", 1, BESIDE_SERVED);
        out.add(target("tabular-mlp single-client p50 minus raw batch-1 forward (ms)", p50 - raw1, "<=", 0.5,
                String.format("served p50 %.3f ms, raw forward %.3f ms", p50, raw1)));
        double textOn = best(on(served, "text-classifier"));
        double textOff = best(off(served, "text-classifier"));
        out.add(target("text-classifier saturated throughput, batching on / off", textOn / textOff, ">=", 1.5,
                String.format("%.1f vs %.1f req/s", textOn, textOff)));
        Map<String, Object> sat = saturated(on(served, "text-classifier"));
        double meanBatch = ((Number) sat.get("mean_batch_rows")).doubleValue();
        double compute = rawInterpolated(raw, "text-classifier", meanBatch, BESIDE_SERVED);
        double bound = MAX_BATCH_DELAY_MS + 2 * compute;
        out.add(target("text-classifier p99 at saturation with batching (ms), bound max_batch_delay (0) + 2 x batch compute",
                ((Number) sat.get("p99_ms")).doubleValue(), "<=", bound,
                String.format("at %d clients, mean batch %.1f rows, raw compute %.2f ms", sat.get("concurrency"), meanBatch, compute)));
        Map<String, Object> start = (Map<String, Object>) report.get("start");
        out.add(target("cold start to ready (s)", ((Number) start.get("cold_start_ms")).doubleValue() / 1000, "<=", 15, "demo store: 3 models"));
        ImageTargets.evaluate(report).forEach(out::add);
        GrpcPoints.targets(report).forEach(out::add);
        Map<String, Object> soak = (Map<String, Object>) report.get("soak");
        Object outside = soak.get("rss_outside_heap_growth");
        out.add(target("RSS growth over the soak", ((Number) soak.get("rss_growth")).doubleValue(), "<=", 0.05,
                soak.get("minutes") + " minutes" + (outside == null ? ""
                        : String.format(", outside the Java heap %+.2f %%", ((Number) outside).doubleValue() * 100))));
        return out;
    }

    /** The models with a served/raw target, and the target. */
    static final Map<String, Double> SERVED_OVER_RAW = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(
            Map.of("resnet18", 0.90, "text-classifier", 0.80)));

    /** How far apart the raw forwards just before and after a point may be for the point's ratio to count. */
    static final double MOST_BRACKET_SPREAD = 0.10;

    /**
     * The served/raw ratio of the saturated point (the most requests per second): against the faster of the raw
     * forwards just before and after it where the point was bracketed, and unreliable when those two are more than
     * {@link #MOST_BRACKET_SPREAD} apart (the machine changed speed around the point); otherwise against the pass
     * beside the model's points. The detail gives the ratios to the pass beside and to the ceiling as well.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> servedOverRaw(String name, Map<String, Object> point, String encoding, double besidePass,
                                             double ceiling, double target) {
        double s = number(point, "requests_per_second");
        String others = String.format(Locale.ROOT, "%.2f of the pass beside the model's points (%.1f rows/s at its best batch),"
                + " %.2f of the faster pass before or after the server (%.1f)", s / besidePass, besidePass, s / ceiling, ceiling);
        Map<String, Object> bracket = (Map<String, Object>) point.get(Benchmark.RAW_BRACKET);
        if (bracket == null) {
            return servedOverRaw(name, s / besidePass, target, String.format(Locale.ROOT, "served %.1f req/s at %s clients (1 row each, %s),"
                    + " not bracketed by raw forwards; %s", s, point.get("concurrency"), encoding, others));
        }
        double r = number(bracket, "raw_rows_per_second");
        double spread = number(bracket, "spread");
        String detail = String.format(Locale.ROOT, "served %.1f req/s at %s clients (1 row each, %s) vs raw %.1f rows/s at batch %s, the faster"
                        + " of %.1f just before the point and %.1f just after it (%.0f %% apart); %s", s, point.get("concurrency"), encoding, r,
                bracket.get("batch"), number(bracket, "before_rows_per_second"), number(bracket, "after_rows_per_second"), spread * 100, others);
        Map<String, Object> t = servedOverRaw(name, s / r, target, detail);
        if (spread > MOST_BRACKET_SPREAD) {
            unreliable(t, String.format(Locale.ROOT, "the raw forwards around the point differ by more than %.0f %%: the machine"
                    + " changed speed during it", MOST_BRACKET_SPREAD * 100));
        }
        return t;
    }

    /** Whether a bracketed point's ratio counts: its raw forwards close enough together, and not beaten by the point. */
    static boolean bracketCounts(double servedRequestsPerSecond, Map<String, Object> bracket) {
        return number(bracket, "spread") <= MOST_BRACKET_SPREAD && servedRequestsPerSecond <= number(bracket, "raw_rows_per_second");
    }

    /** Marks a target as saying nothing, with why: not met, whatever its value. */
    private static void unreliable(Map<String, Object> t, String why) {
        t.put("detail", t.get("detail") + "; " + why + ", so this figure says nothing");
        t.put("met", false);
        t.put("reliable", false);
    }

    /**
     * A served/raw ratio: above 1 the server beat its own engine, which only a machine that changed speed between
     * the raw pass and the served points can show (run 20261203-131110: 1.07), so it is reported as unreliable, not met.
     */
    static Map<String, Object> servedOverRaw(String name, double value, double target, String detail) {
        if (value <= 1) {
            return target(name, value, ">=", target, detail);
        }
        Map<String, Object> t = target(name, value, ">=", target, detail);
        unreliable(t, "above 1: the machine's speed changed between the raw pass and these points");
        return t;
    }

    static Map<String, Object> target(String name, double value, String op, double target, String detail) {
        boolean met = op.equals(">=") ? value >= target : value <= target;
        return Benchmark.map("target", name, "value", value, "op", op, "goal", target, "met", met, "detail", detail);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> on(Map<String, Object> served, String model) {
        return (List<Map<String, Object>>) ((Map<String, Object>) served.get(model)).get("batching_on");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> off(Map<String, Object> served, String model) {
        return (List<Map<String, Object>>) ((Map<String, Object>) served.get(model)).get("batching_off");
    }

    /** The point with the most requests per second. */
    static Map<String, Object> bestPoint(List<Map<String, Object>> points) {
        return points.stream().max(java.util.Comparator.comparingDouble(p -> number(p, "requests_per_second"))).orElseThrow();
    }

    static double best(List<Map<String, Object>> points) {
        return points.isEmpty() ? 0 : number(bestPoint(points), "requests_per_second");
    }

    /** The server's default max_batch_delay_ms, which the bench does not change. */
    static final double MAX_BATCH_DELAY_MS = 0;

    /** The saturation point: the fewest clients that reach 90 % of the best throughput. */
    static Map<String, Object> saturated(List<Map<String, Object>> points) {
        double best = best(points);
        return points.stream().filter(p -> ((Number) p.get("requests_per_second")).doubleValue() >= 0.9 * best).findFirst().orElseThrow();
    }

    static double at(List<Map<String, Object>> points, int concurrency, String field) {
        return points.stream().filter(p -> ((Number) p.get("concurrency")).intValue() == concurrency)
                .mapToDouble(p -> ((Number) p.get(field)).doubleValue()).findFirst().orElse(Double.NaN);
    }

    /**
     * The prefixes of the raw passes measured just before a model's served points and just before its JSON and binary
     * points, in the report's raw rows ({@code beside_served_rows_per_second}, ...).
     */
    static final String BESIDE_SERVED = "beside_served_";
    static final String BESIDE_BINARY = "beside_binary_";

    /** The ceiling: the best rows/s of the faster pass before or after the server. */
    static double bestRaw(Map<String, Object> raw, String model) {
        return bestRaw(raw, model, "");
    }

    /** The best rows/s over the batches of one raw series ({@code ""} for the ceiling); NaN where it did not measure the model. */
    @SuppressWarnings("unchecked")
    static double bestRaw(Map<String, Object> raw, String model, String series) {
        return ((List<Map<String, Object>>) raw.get(model)).stream().mapToDouble(p -> number(p, series + "rows_per_second"))
                .reduce(Double::max).orElse(Double.NaN);
    }

    @SuppressWarnings("unchecked")
    static double rawAt(Map<String, Object> raw, String model, int batch, String series) {
        return ((List<Map<String, Object>>) raw.get(model)).stream().filter(p -> ((Number) p.get("batch")).intValue() == batch)
                .mapToDouble(p -> number(p, series + "ms_per_forward")).findFirst().orElse(Double.NaN);
    }

    /** A figure of a report row, NaN where the row does not have it. */
    static double number(Map<String, Object> row, String field) {
        Object v = row.get(field);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** The raw forward time of one series at a batch size between the measured ones (linear between neighbours). */
    @SuppressWarnings("unchecked")
    static double rawInterpolated(Map<String, Object> raw, String model, double rows, String series) {
        List<Map<String, Object>> points = (List<Map<String, Object>>) raw.get(model);
        double prevB = 0, prevMs = 0;
        for (Map<String, Object> p : points) {
            double b = ((Number) p.get("batch")).doubleValue();
            double ms = number(p, series + "ms_per_forward");
            if (rows <= b) {
                return prevB == 0 ? ms : prevMs + (ms - prevMs) * (rows - prevB) / (b - prevB);
            }
            prevB = b;
            prevMs = ms;
        }
        return prevMs;
    }
}
