package dev.seraphim.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts on the real server, with live traffic from a client thread: a good candidate is promoted through all its
 * steps, a failing one rolled back within its first step with the audit saying why, and bad rollouts refused.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RolloutIT {
    private static final String IDS = "\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,4],\"data\":[5,17,42,7]}]";
    private static final String TEXT_SIGNATURE = "\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[-1,-1]}],"
            + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],\"padding\":{\"input_ids\":0}";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aGoodCandidateIsPromotedThroughEveryStep() throws Exception {
        String model = textModel("text-classifier.pt", true);
        HttpResponse<String> started = start(model, "{\"candidate\": \"2\", \"steps\": [50, 100], \"step_seconds\": 2,"
                + " \"guard\": {\"min_requests_per_step\": 10, \"max_p95_ratio\": 1000}}");
        assertEquals(201, started.statusCode(), started.body());
        long id = Seraphim.json(started.body()).getJsonNumber("id").longValue();
        assertEquals("{\"1\":50,\"2\":50}", weights(model), "the first step's weights are set at once");
        JsonObject end = driveUntilEnded(model, id, 60);
        assertEquals("PROMOTED", end.getString("state"), end.toString());
        assertEquals("2", Seraphim.json(Seraphim.get("/api/v1/models/" + model).body()).getString("default_version"));
        assertEquals("null", weights(model), "promoted: the candidate is the default and the weights are cleared");
        String history = end.getJsonArray("history").toString();
        assertTrue(history.contains("\"advanced\"") && history.contains("\"promoted\""), history);
        assertTrue(audit(model).contains("rollout " + id + " advanced to 100 %"), "the audit has every step");
    }

    @Test
    void aFailingCandidateIsRolledBackWithinItsFirstStepAndTheAuditSaysWhy() throws Exception {
        // the candidate is the tabular MLP declared as the text model: it cannot run on token ids (libtorch refuses)
        String model = textModel("tabular-mlp.pt", false);
        HttpResponse<String> started = start(model, "{\"candidate\": \"2\", \"steps\": [20, 100], \"step_seconds\": 120,"
                + " \"guard\": {\"min_requests_per_step\": 5, \"max_error_rate_increase\": 0.01}}");
        assertEquals(201, started.statusCode(), started.body());
        long id = Seraphim.json(started.body()).getJsonNumber("id").longValue();
        long t0 = System.nanoTime();
        JsonObject end = driveUntilEnded(model, id, 60);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertEquals("ROLLED_BACK", end.getString("state"), end.toString());
        assertTrue(seconds < 120, "rolled back within its first step of 120 s: after " + seconds + " s");
        assertTrue(end.getString("reason").contains("error rate"), end.getString("reason"));
        assertEquals("null", weights(model), "rolled back: every request to the default again");
        assertEquals("1", Seraphim.json(Seraphim.get("/api/v1/models/" + model).body()).getString("default_version"));
        assertTrue(audit(model).contains("rolled back at 20 %: candidate error rate"), "the audit says why");
    }

    /**
     * The shadow-agreement guard: the rollout mirrors the requests the baseline answers onto the candidate (and at 100 %
     * the other way round) and compares argmax over every replica's comparisons. The same model agrees and is promoted;
     * a model whose classes are rotated disagrees on every row and is rolled back, the reason saying so.
     */
    @Test
    void theShadowAgreementGuardPromotesAnAgreeingCandidateAndRollsBackADisagreeingOne() throws Exception {
        String guard = " \"guard\": {\"min_requests_per_step\": 10, \"max_p95_ratio\": 1000, \"min_shadow_agreement\": 0.95}}";
        String row = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[0.3,-1.2,0.5,2.0,0.1,0.7,"
                + "-0.4,1.1,0.9,-2.2,0.05,1.5,-0.6,0.8,0.2,-1.0]}]}";

        String agreeing = mlpModel(Registrations.demoModel("tabular-mlp.pt"));
        HttpResponse<String> started = start(agreeing, "{\"candidate\": \"2\", \"steps\": [50, 100], \"step_seconds\": 2," + guard);
        assertEquals(201, started.statusCode(), started.body());
        JsonObject shadowed = Seraphim.json(Seraphim.get("/api/v1/models/" + agreeing + "/traffic").body());
        assertEquals("2", shadowed.getJsonObject("shadow").getString("version"), "the candidate shadows the baseline: " + shadowed);
        JsonObject promoted = driveUntilEnded(agreeing, Seraphim.json(started.body()).getJsonNumber("id").longValue(), 90, row);
        assertEquals("PROMOTED", promoted.getString("state"), promoted.toString());
        assertTrue(promoted.getJsonArray("history").toString().contains("\"agreement\":1.0"), "the figures show full agreement: "
                + promoted.getJsonArray("history"));

        String disagreeing = mlpModel(Registrations.rotatedMlp());
        started = start(disagreeing, "{\"candidate\": \"2\", \"steps\": [50, 100], \"step_seconds\": 120," + guard);
        assertEquals(201, started.statusCode(), started.body());
        JsonObject rolledBack = driveUntilEnded(disagreeing, Seraphim.json(started.body()).getJsonNumber("id").longValue(), 60, row);
        assertEquals("ROLLED_BACK", rolledBack.getString("state"), rolledBack.toString());
        assertTrue(rolledBack.getString("reason").contains("agrees with the baseline"), rolledBack.getString("reason"));
        assertEquals("null", weights(disagreeing), "rolled back: the default alone, no shadow");
    }

    /** v1: the tabular MLP (the default); v2: {@code candidate} under the same signature, loaded. */
    private static String mlpModel(byte[] candidate) throws Exception {
        String model = Registrations.unique("agree");
        HttpResponse<String> v1 = Registrations.register("{\"name\":\"" + model + "\",\"version\":\"1\"," + Registrations.MLP_SIGNATURE + "}",
                "tabular-mlp.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, v1.statusCode(), v1.body());
        HttpResponse<String> v2 = Registrations.register("{\"name\":\"" + model + "\",\"version\":\"2\"," + Registrations.MLP_SIGNATURE + "}",
                "candidate.pt", candidate);
        assertEquals(201, v2.statusCode(), v2.body());
        return model;
    }

    @Test
    void badRolloutsAreRefusedAndOneCanBeSteeredByHand() throws Exception {
        String model = textModel("text-classifier.pt", true);
        assertRefused(model, "{\"candidate\": \"1\", \"steps\": [100]}", 400, "already the default version");
        assertRefused(model, "{\"candidate\": \"2\", \"steps\": [50, 40, 100]}", 400, "'steps' must rise");
        assertRefused(model, "{\"candidate\": \"2\", \"steps\": [10, 50]}", 400, "must end at 100");
        assertRefused(model, "{\"candidate\": \"9\", \"steps\": [100]}", 404, "");
        assertRefused(model, "{\"candidate\": \"2\", \"steps\": [100], \"guard\": {\"min_shadow_agreement\": 1.5}}", 400, "'guard.min_shadow_agreement' must be a number from 0");
        assertRefused(model, "{\"candidate\": \"2\", \"steps\": [100], \"guard\": {\"max_shadow_drift\": 0.9}}", 400, "not a guard this server evaluates");
        HttpResponse<String> first = start(model, "{\"candidate\": \"2\", \"steps\": [10, 100], \"step_seconds\": 3600}");
        assertEquals(201, first.statusCode(), first.body());
        long id = Seraphim.json(first.body()).getJsonNumber("id").longValue();
        assertRefused(model, "{\"candidate\": \"2\", \"steps\": [100]}", 409, "already has rollout " + id);
        assertEquals("PAUSED", act(model, id, "pause").getString("state"));
        assertEquals("RUNNING", act(model, id, "resume").getString("state"));
        JsonObject aborted = act(model, id, "abort");
        assertEquals("ABORTED", aborted.getString("state"), aborted.toString());
        assertEquals("null", weights(model), "aborted: the weights back to the default alone");
        assertEquals(409, Registrations.call("POST", "/api/v1/models/" + model + "/rollouts/" + id + "/resume", null).statusCode());
        assertEquals(400, Registrations.call("POST", "/api/v1/models/" + model + "/rollouts/" + id + "/dance", null).statusCode());
    }

    /** v1: the text classifier (the default); v2: {@code candidateFile} under the same signature, loaded. */
    static String textModel(String candidateFile, boolean checked) throws Exception {
        String model = Registrations.unique("roll");
        HttpResponse<String> v1 = Registrations.register("{\"name\":\"" + model + "\",\"version\":\"1\"," + TEXT_SIGNATURE + "}",
                "text-classifier.pt", Registrations.demoModel("text-classifier.pt"));
        assertEquals(201, v1.statusCode(), v1.body());
        HttpResponse<String> v2 = Registrations.register("{\"name\":\"" + model + "\",\"version\":\"2\"," + TEXT_SIGNATURE
                + (checked ? "" : ",\"signature_check\":false") + "}", candidateFile, Registrations.demoModel(candidateFile));
        assertEquals(201, v2.statusCode(), v2.body());
        return model;
    }

    /** Sends unversioned requests from a client thread until the rollout ends; its final view. */
    static JsonObject driveUntilEnded(String model, long id, int maxSeconds) throws Exception {
        return driveUntilEnded(model, id, maxSeconds, "{" + IDS + "}");
    }

    static JsonObject driveUntilEnded(String model, long id, int maxSeconds, String body) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                try {
                    if (Seraphim.send(Seraphim.post("/v2/models/" + model + "/infer", body)).statusCode() == 429) {
                        Thread.sleep(200); // a tiny model outruns the admin key's rate limit: leave the polls their share
                    }
                } catch (Exception e) {
                    return;
                }
            }
        });
        traffic.start();
        try {
            long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                JsonObject r = rollout(model, id);
                if (r != null && !r.getString("state").equals("RUNNING")) {
                    return r;
                }
                Thread.sleep(250);
            }
            running.set(false);
            traffic.join();
            JsonObject last = rollout(model, id);
            assertNotNull(last, "the rollout's view after the traffic stopped");
            return last;
        } finally {
            running.set(false);
            traffic.join();
        }
    }

    /** The rollout's view, or null when the rate limit refused this poll (429: the driving traffic shares the key). */
    private static JsonObject rollout(String model, long id) throws Exception {
        HttpResponse<String> r = Seraphim.get("/api/v1/models/" + model + "/rollouts/" + id);
        if (r.statusCode() == 429) {
            return null;
        }
        assertEquals(200, r.statusCode(), r.body());
        return Seraphim.json(r.body());
    }

    static HttpResponse<String> start(String model, String body) throws Exception {
        return Registrations.call("POST", "/api/v1/models/" + model + "/rollouts", body);
    }

    private static JsonObject act(String model, long id, String action) throws Exception {
        HttpResponse<String> r = Registrations.call("POST", "/api/v1/models/" + model + "/rollouts/" + id + "/" + action, null);
        assertEquals(200, r.statusCode(), r.body());
        return Seraphim.json(r.body());
    }

    static String weights(String model) throws Exception {
        return Seraphim.json(Seraphim.get("/api/v1/models/" + model + "/traffic").body()).get("weights").toString();
    }

    static String audit(String model) throws Exception {
        JsonArray trail = Seraphim.json(Seraphim.get("/api/v1/audit/management?model=" + model + "&limit=100").body()).getJsonArray("events");
        return trail.toString();
    }

    private static void assertRefused(String model, String body, int status, String says) throws Exception {
        HttpResponse<String> r = start(model, body);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains(says), says + " in " + r.body());
    }
}
