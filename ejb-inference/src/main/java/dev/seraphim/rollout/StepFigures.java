package dev.seraphim.rollout;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** The live figures of a rollout step, from the prediction audit of every replica since the step began. */
public record StepFigures(Version baseline, Version candidate, Agreement shadow) {
    /** Rows the shadow compared between candidate and baseline over the step (every replica), and how many agreed. */
    public record Agreement(long rows, long agreeing) {
        static final Agreement NONE = new Agreement(0, 0);

        double rate() {
            return rows == 0 ? Double.NaN : (double) agreeing / rows;
        }

        JsonObject toJson() {
            var b = Json.createObjectBuilder().add("rows", rows).add("agreeing", agreeing);
            return (rows == 0 ? b.addNull("agreement") : b.add("agreement", rate())).build();
        }
    }

    /** One version's requests, failed answers (client and server errors, timeouts) and p95 latency over the step. */
    public record Version(long requests, long errors, double p95Millis) {
        static final Version NONE = new Version(0, 0, 0);

        double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }

        JsonObject toJson() {
            return Json.createObjectBuilder().add("requests", requests).add("errors", errors).add("error_rate", errorRate())
                    .add("p95_ms", p95Millis).build();
        }
    }

    JsonObject toJson() {
        var b = Json.createObjectBuilder().add("baseline", baseline.toJson()).add("candidate", candidate.toJson());
        return (shadow.rows() == 0 ? b : b.add("shadow", shadow.toJson())).build();
    }
}
