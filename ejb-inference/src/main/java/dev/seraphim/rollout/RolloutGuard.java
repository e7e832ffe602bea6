package dev.seraphim.rollout;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a rollout's candidate must keep to, compared with the baseline on the same step's live requests: its failure
 * rate (answers other than success or an overload refusal, over requests) at most {@code maxErrorRateIncrease} above the baseline's, its p95
 * latency at most {@code maxP95Ratio} times the baseline's, judged once it has {@code minRequestsPerStep} requests; and,
 * with {@code minShadowAgreement} (null: not guarded), the same argmax as the baseline on at least that share of the rows
 * the shadow compared, judged once it compared {@code minRequestsPerStep} rows.
 */
public record RolloutGuard(double maxErrorRateIncrease, double maxP95Ratio, int minRequestsPerStep, Double minShadowAgreement) {
    private static final Set<String> KEYS = Set.of("max_error_rate_increase", "max_p95_ratio", "min_requests_per_step", "min_shadow_agreement");

    static RolloutGuard fromJson(JsonValue value) {
        JsonObject g = value instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
        if (value != null && value != JsonValue.NULL && !(value instanceof JsonObject)) {
            throw new IllegalArgumentException("'guard' must be an object");
        }
        for (String key : g.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("'guard." + key + "' is not a guard this server evaluates; it takes " + KEYS.stream().sorted().toList());
            }
        }
        double errors = number(g, "max_error_rate_increase", 0.01, 0, 1);
        double p95 = number(g, "max_p95_ratio", 1.5, 1, 1000);
        double min = number(g, "min_requests_per_step", 200, 1, 1_000_000_000);
        if (min != Math.rint(min)) {
            throw new IllegalArgumentException("'guard.min_requests_per_step' must be a whole number");
        }
        Double agreement = g.containsKey("min_shadow_agreement") && g.get("min_shadow_agreement") != JsonValue.NULL
                ? number(g, "min_shadow_agreement", 0, 0, 1) : null;
        return new RolloutGuard(errors, p95, (int) min, agreement);
    }

    private static double number(JsonObject g, String key, double fallback, double min, double max) {
        if (!g.containsKey(key)) {
            return fallback;
        }
        if (!(g.get(key) instanceof JsonNumber n) || n.doubleValue() < min || n.doubleValue() > max) {
            throw new IllegalArgumentException("'guard." + key + "' must be a number from " + min + " to " + max);
        }
        return n.doubleValue();
    }

    public JsonObject toJson() {
        var b = Json.createObjectBuilder().add("max_error_rate_increase", maxErrorRateIncrease).add("max_p95_ratio", maxP95Ratio)
                .add("min_requests_per_step", minRequestsPerStep);
        return (minShadowAgreement == null ? b : b.add("min_shadow_agreement", minShadowAgreement)).build();
    }

    /** Whether the step has what the guard needs to pass it: enough candidate requests and, when agreement is guarded, compared rows. */
    boolean judged(StepFigures f) {
        return f.candidate().requests() >= minRequestsPerStep && (minShadowAgreement == null || f.shadow().rows() >= minRequestsPerStep);
    }

    /** Why the candidate fails on these figures, once it has enough requests; empty while it passes or cannot be judged. */
    Optional<String> trips(StepFigures f) {
        if (minShadowAgreement != null && f.shadow().rows() >= minRequestsPerStep && f.shadow().rate() < minShadowAgreement) {
            return Optional.of(String.format(Locale.ROOT, "candidate agrees with the baseline on %.4f of %d shadowed rows (at least %.4f required)",
                    f.shadow().rate(), f.shadow().rows(), minShadowAgreement));
        }
        if (f.candidate().requests() < minRequestsPerStep) {
            return Optional.empty();
        }
        double increase = f.candidate().errorRate() - f.baseline().errorRate();
        if (increase > maxErrorRateIncrease) {
            return Optional.of(String.format(Locale.ROOT, "candidate error rate %.4f is %.4f above the baseline's %.4f (allowed %.4f)",
                    f.candidate().errorRate(), increase, f.baseline().errorRate(), maxErrorRateIncrease));
        }
        if (f.baseline().requests() >= minRequestsPerStep && f.baseline().p95Millis() > 0
                && f.candidate().p95Millis() / f.baseline().p95Millis() > maxP95Ratio) {
            return Optional.of(String.format(Locale.ROOT, "candidate p95 %.2f ms is %.2f times the baseline's %.2f ms (allowed %.2f)",
                    f.candidate().p95Millis(), f.candidate().p95Millis() / f.baseline().p95Millis(), f.baseline().p95Millis(), maxP95Ratio));
        }
        return Optional.empty();
    }
}
