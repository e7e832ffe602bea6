package dev.seraphim.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * drift-check and retrain with real libtorch and PostgreSQL: input statistics recorded at inference, PSI of a
 * shifted feature over the threshold (report, gauge, retrain started), labelled feedback, fine-tuning with
 * libtorch's autograd that raises held-out accuracy and registers a version, no version without a gain, and a
 * stopped training run resumed from its checkpoint.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DriftRetrainIT {
    private static final int FEATURES = 16;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aShiftedFeatureIsReportedOverTheThresholdAndStartsRetrain() throws Exception {
        register("drift-stable");
        register("drift-shifted");
        Random random = new Random(11);
        for (String model : List.of("drift-stable", "drift-shifted")) {
            for (int i = 0; i < 10; i++) {
                infer(model, null, rows(random, 100, 0));
            }
        }
        awaitReference("drift-stable");
        awaitReference("drift-shifted");
        for (int i = 0; i < 5; i++) {
            infer("drift-stable", null, rows(random, 100, 0));
            infer("drift-shifted", null, rows(random, 100, 2.0));
        }
        JsonObject check = BackupRestoreIT.run("drift-check", "{}");
        assertEquals("COMPLETED", check.getString("status"), check.toString());

        JsonObject stable = latest("drift-stable");
        assertEquals(500, stable.getInt("window_rows"), stable.toString());
        assertFalse(stable.getBoolean("drifted"), stable.toString());
        assertTrue(stable.getJsonNumber("max_psi").doubleValue() < 0.15, stable.toString());
        assertFalse(stable.containsKey("retrain_execution_id"), "no retrain without drift");

        JsonObject shifted = latest("drift-shifted");
        assertTrue(shifted.getBoolean("drifted"), shifted.toString());
        JsonObject psi = shifted.getJsonObject("psi");
        assertEquals(FEATURES, psi.size());
        assertTrue(psi.getJsonNumber("features[0]").doubleValue() > 0.3, psi.toString());
        for (int f = 1; f < FEATURES; f++) {
            assertTrue(psi.getJsonNumber("features[" + f + "]").doubleValue() < 0.15, "unshifted feature " + f + ": " + psi);
        }
        assertEquals(0.3, shifted.getJsonNumber("threshold").doubleValue(), 1e-9);

        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("seraphim_drift_detected{") && l.contains("model=\"drift-shifted\"") && l.endsWith(" 1.0")),
                "drift gauge of drift-shifted");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("seraphim_drift_psi{") && l.contains("feature=\"features[0]\"")
                && l.contains("model=\"drift-shifted\"")), "per-feature PSI gauge");

        // the drifted model's retrain ran; with no labelled feedback it ends early and says why
        long retrain = shifted.getJsonNumber("retrain_execution_id").longValue();
        JsonObject run = BackupRestoreIT.awaitEnd(retrain, 120);
        assertEquals("COMPLETED", run.getString("status"), run.toString());
        assertTrue(run.getString("exit_status").startsWith("SKIPPED: model drift-shifted has 0 labelled examples"), run.toString());

        // token sequences have no per-feature columns: the text classifier is not watched and has no report
        HttpResponse<String> none = Seraphim.get("/api/v1/drift/text-classifier");
        assertEquals(404, none.statusCode(), "a model without a report: " + none.body());
    }

    @Test
    void retrainOnLearnableFeedbackRaisesHeldOutAccuracyAndRegistersAVersion() throws Exception {
        register("retrain-learn");
        Random random = new Random(5);
        sendFeedback("retrain-learn", random, 400);
        JsonObject run = BackupRestoreIT.run("retrain", "{\"model\":\"retrain-learn\",\"epochs\":30,\"canary\":true}");
        assertEquals("COMPLETED", run.getString("status"), run.toString());
        assertTrue(run.getString("exit_status").startsWith("REGISTERED version 2 as a canary (rollout "), run.toString());

        JsonObject model = Seraphim.json(Seraphim.get("/api/v1/models/retrain-learn").body());
        assertEquals("1", model.getString("default_version"), "the canary does not become the default: " + model);
        // a canary is rolled out: its first step's 5 % set, waiting for live requests to judge it
        JsonObject rollout = Seraphim.json("{\"a\":" + Seraphim.get("/api/v1/models/retrain-learn/rollouts").body() + "}").getJsonArray("a").getJsonObject(0);
        assertEquals("RUNNING", rollout.getString("state"), rollout.toString());
        assertEquals("2", rollout.getString("candidate"));
        assertEquals("{\"1\":95,\"2\":5}", Seraphim.json(Seraphim.get("/api/v1/models/retrain-learn/traffic").body()).getJsonObject("weights").toString());
        JsonObject v2 = Seraphim.json(Seraphim.get("/api/v1/models/retrain-learn/versions/2").body());
        assertEquals(1, v2.getInt("intra_op_threads"), "the retrained version keeps the default version's settings: " + v2);
        assertEquals(8, v2.getJsonObject("batching").getInt("max_batch_size"), v2.toString());
        JsonObject m = v2.getJsonObject("metrics");
        double candidate = m.getJsonNumber("heldout_accuracy").doubleValue();
        double baseline = m.getJsonNumber("baseline_accuracy").doubleValue();
        assertTrue(candidate >= baseline + 0.02 && candidate > 0.7, m.toString());
        assertEquals(80, m.getInt("heldout_examples"), "20 % of 400 held out");

        // the registered version, served: better than version 1 on rows neither has seen
        double[][] test = rows(new Random(99), 300, 0);
        double v1 = accuracy(infer("retrain-learn", "1", test), test);
        double v2Served = accuracy(infer("retrain-learn", "2", test), test);
        assertTrue(v2Served > v1 + 0.2, String.format(Locale.ROOT, "served accuracy v1 %.3f, v2 %.3f", v1, v2Served));
    }

    @Test
    void retrainRegistersNothingWhenTheFeedbackGivesNoGain() throws Exception {
        register("retrain-kept");
        // label each served prediction with what the model answered: nothing to learn, the default is already right
        Random random = new Random(8);
        int labelled = 0;
        String firstRequest = null;
        for (int i = 0; i < 12; i++) {
            double[][] rows = rows(random, 10, 0);
            HttpResponse<String> served = inferResponse("retrain-kept", null, rows);
            String requestId = served.headers().firstValue("X-Request-Id").orElseThrow();
            firstRequest = firstRequest == null ? requestId : firstRequest;
            int[] predicted = argmax(Seraphim.json(served.body()));
            StringBuilder labels = new StringBuilder();
            for (int p : predicted) {
                labels.append(labels.length() == 0 ? "" : ",").append(p);
            }
            HttpResponse<String> r = awaitFeedback("{\"request_id\":\"" + requestId + "\",\"labels\":[" + labels + "]}");
            assertEquals(201, r.statusCode(), r.body());
            assertEquals(10, Seraphim.json(r.body()).getInt("rows"));
            labelled += 10;
        }
        assertEquals(120, labelled);
        // another key cannot label that prediction: request ids travel in logs, and clients may choose their own
        String other = SecurityIT.createKey("{\"name\":\"feedback-other\",\"role\":\"client\"}").getString("secret");
        assertProblem(feedbackWithKey(other, "{\"request_id\":\"" + firstRequest + "\",\"label\":0}"), 404, "made with this API key");
        // tabular-mlp's audit keeps hashes only: its requests cannot be labelled by id
        HttpResponse<String> hashed = inferResponse("tabular-mlp", null, rows(random, 1, 0));
        HttpResponse<String> refused = awaitFeedbackStatus("{\"request_id\":\"" + hashed.headers().firstValue("X-Request-Id").orElseThrow()
                + "\",\"label\":1}", 422);
        assertTrue(Seraphim.json(refused.body()).getString("detail").contains("did not keep the inputs"), refused.body());

        JsonObject run = BackupRestoreIT.run("retrain", "{\"model\":\"retrain-kept\",\"epochs\":5}");
        assertEquals("COMPLETED", run.getString("status"), run.toString());
        assertTrue(run.getString("exit_status").startsWith("NOT_REGISTERED: held-out accuracy"), run.toString());
        assertTrue(run.getString("exit_status").contains("against 1.000 of default version 1"), run.toString());
        JsonArray versions = Seraphim.json(Seraphim.get("/api/v1/models/retrain-kept").body()).getJsonArray("versions");
        assertEquals(1, versions.size(), "no new version: " + versions);
    }

    @Test
    void aModelForTheExternalTrainerIsTrainedByItsCommandAndJudgedLikeAnyOther() throws Exception {
        register("retrain-external");
        sendFeedback("retrain-external", new Random(4), 100);
        JsonObject run = BackupRestoreIT.run("retrain", "{\"model\":\"retrain-external\"}");
        assertEquals("COMPLETED", run.getString("status"), run.toString());
        // the command hands back the base model: the evaluation finds no gain
        assertTrue(run.getString("exit_status").startsWith("NOT_REGISTERED: held-out accuracy"), run.toString());
        assertEquals(List.of("prepare", "external", "evaluate"), run.getJsonArray("steps").stream()
                .map(s -> s.asJsonObject().getString("name")).toList());
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("seraphim.it.retrain"), "retrain-external-" + run.getJsonNumber("instance_id").longValue());
        assertEquals("80", java.nio.file.Files.readString(dir.resolve("examples-seen")).trim(), "the 80 training examples as JSON lines");
        assertEquals("retrain-external 1", java.nio.file.Files.readString(dir.resolve("model-seen")).trim());
    }

    @Test
    void badFeedbackIsRefusedNamingWhatToFix() throws Exception {
        assertProblem(feedback("{\"model\":\"tabular-mlp\",\"label\":1}"), 400, "either 'request_id'");
        assertProblem(feedback("{\"model\":\"tabular-mlp\",\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],"
                + "\"data\":" + flat(rows(new Random(1), 1, 0)) + "}],\"label\":3}"), 400, "class index from 0 to 2");
        assertProblem(feedback("{\"model\":\"tabular-mlp\",\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[2,16],"
                + "\"data\":" + flat(rows(new Random(1), 2, 0)) + "}],\"labels\":[1]}"), 400, "'labels' has 1 entries for 2 rows");
        assertProblem(feedback("{\"model\":\"tabular-mlp\",\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,15],"
                + "\"data\":" + flat(new double[][]{new double[15]}) + "}],\"label\":1}"), 400, "features");
        assertProblem(feedback("{\"request_id\":\"never-served\",\"label\":1}"), 404, "no successful prediction");
        assertProblem(feedback("{\"model\":\"no-such-model\",\"inputs\":[],\"label\":1}"), 404, "no-such-model");
        assertProblem(Seraphim.send(Seraphim.post("/api/v1/jobs/retrain", "{}")), 400, "needs parameter 'model'");
        assertProblem(Seraphim.send(Seraphim.post("/api/v1/jobs/retrain", "{\"model\":\"../x\"}")), 400, "must be a model name");
        String operator = SecurityIT.createKey("{\"name\":\"feedback-operator\",\"role\":\"operator\"}").getString("secret");
        assertEquals(403, feedbackWithKey(operator, "{}").statusCode(), "feedback is for inference callers");
    }

    @Test
    void aStoppedTrainingRunResumesFromItsLastCheckpoint() throws Exception {
        register("retrain-resume");
        sendFeedback("retrain-resume", new Random(21), 200);
        int epochs = 1500;
        HttpResponse<String> started = Seraphim.send(Seraphim.post("/api/v1/jobs/retrain", "{\"model\":\"retrain-resume\",\"epochs\":" + epochs + "}"));
        assertEquals(202, started.statusCode(), started.body());
        long first = Seraphim.json(started.body()).getJsonNumber("execution_id").longValue();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (trainRead(Seraphim.json(Seraphim.get("/api/v1/jobs/" + first).body())) < 20) {
            assertTrue(System.nanoTime() < deadline, "training did not get to epoch 20");
            Thread.sleep(100);
        }
        assertEquals(202, Seraphim.send(Seraphim.post("/api/v1/jobs/" + first + "/stop", "")).statusCode());
        JsonObject stopped = BackupRestoreIT.awaitEnd(first, 120);
        assertEquals("STOPPED", stopped.getString("status"), stopped.toString());
        long done = trainRead(stopped);
        assertTrue(done >= 20 && done < epochs, "epochs before the stop: " + done);

        HttpResponse<String> restarted = Seraphim.send(Seraphim.post("/api/v1/jobs/" + first + "/restart", ""));
        assertEquals(202, restarted.statusCode(), restarted.body());
        JsonObject second = BackupRestoreIT.awaitEnd(Seraphim.json(restarted.body()).getJsonNumber("execution_id").longValue(), 300);
        assertEquals("COMPLETED", second.getString("status"), second.toString());
        assertEquals(epochs - done, trainRead(second), "the restart trains only the epochs after the checkpoint");
    }

    private static long trainRead(JsonObject execution) {
        for (JsonValue s : execution.getJsonArray("steps")) {
            JsonObject step = s.asJsonObject();
            if (step.getString("name").equals("train") && step.containsKey("items_read")) {
                return step.getJsonNumber("items_read").longValue();
            }
        }
        return 0;
    }

    private static void register(String name) throws Exception {
        // serving settings of its own, which a retrained version must carry over
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\",\"version\":\"1\"," + Registrations.MLP_SIGNATURE
                        + ",\"batching\":{\"max_batch_size\":8},\"intra_op_threads\":1}",
                "model.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, r.statusCode(), r.body());
    }

    /** Rows of standard normal features; feature 0 shifted by {@code shift}. */
    private static double[][] rows(Random random, int n, double shift) {
        double[][] rows = new double[n][FEATURES];
        for (double[] row : rows) {
            for (int f = 0; f < FEATURES; f++) {
                row[f] = random.nextGaussian() + (f == 0 ? shift : 0);
            }
        }
        return rows;
    }

    /** The synthetic task: the class is whichever of the first three features is largest. */
    private static int truth(double[] row) {
        int best = 0;
        for (int c = 1; c < 3; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    private static void sendFeedback(String model, Random random, int n) throws Exception {
        for (int sent = 0; sent < n; sent += 100) {
            double[][] rows = rows(random, 100, 0);
            StringBuilder labels = new StringBuilder();
            for (double[] row : rows) {
                labels.append(labels.length() == 0 ? "" : ",").append(truth(row));
            }
            HttpResponse<String> r = feedback("{\"model\":\"" + model + "\",\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\","
                    + "\"shape\":[100,16],\"data\":" + flat(rows) + "}],\"labels\":[" + labels + "]}");
            assertEquals(201, r.statusCode(), r.body());
            assertEquals(100, Seraphim.json(r.body()).getJsonArray("ids").size());
        }
    }

    private static String flat(double[][] rows) {
        StringBuilder s = new StringBuilder("[");
        for (double[] row : rows) {
            for (double v : row) {
                s.append(s.length() == 1 ? "" : ",").append((float) v);
            }
        }
        return s.append(']').toString();
    }

    private static HttpResponse<String> inferResponse(String model, String version, double[][] rows) throws Exception {
        String path = "/v2/models/" + model + (version == null ? "" : "/versions/" + version) + "/infer";
        HttpResponse<String> r = Seraphim.send(Seraphim.post(path, "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":["
                + rows.length + ",16],\"data\":" + flat(rows) + "}]}"));
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    private static JsonObject infer(String model, String version, double[][] rows) throws Exception {
        return Seraphim.json(inferResponse(model, version, rows).body());
    }

    private static int[] argmax(JsonObject response) {
        JsonArray data = response.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        int[] out = new int[data.size() / 3];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < 3; c++) {
                if (data.getJsonNumber(r * 3 + c).doubleValue() > data.getJsonNumber(r * 3 + best).doubleValue()) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    private static double accuracy(JsonObject response, double[][] rows) {
        int[] predicted = argmax(response);
        int right = 0;
        for (int r = 0; r < rows.length; r++) {
            right += predicted[r] == truth(rows[r]) ? 1 : 0;
        }
        return (double) right / rows.length;
    }

    private static HttpResponse<String> feedback(String json) throws Exception {
        return Seraphim.send(Seraphim.post("/api/v1/feedback", json));
    }

    /** Feedback sent with another API key than the tests' own. */
    private static HttpResponse<String> feedbackWithKey(String key, String json) throws Exception {
        return Seraphim.HTTP.send(java.net.http.HttpRequest.newBuilder(Seraphim.uri("/api/v1/feedback"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Feedback by request id once the audit trail has the prediction (it writes within a second). */
    private static HttpResponse<String> awaitFeedback(String json) throws Exception {
        return awaitFeedbackStatus(json, 201);
    }

    private static HttpResponse<String> awaitFeedbackStatus(String json, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<String> r = feedback(json);
        while (r.statusCode() == 404 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = feedback(json);
        }
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }

    private static void awaitReference(String model) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + System.getProperty("seraphim.it.db.port")
                + "/seraphim", "seraphim", ""); PreparedStatement s = c.prepareStatement("SELECT count(*), min(row_count) FROM drift_reference WHERE model_name = ?")) {
            s.setString(1, model);
            while (true) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getInt(1) == FEATURES) {
                        assertEquals(1000, r.getLong(2), "the reference is the first 1000 rows");
                        return;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "no reference window stored for " + model);
                Thread.sleep(250);
            }
        }
    }

    private static JsonObject latest(String model) throws Exception {
        HttpResponse<String> r = Seraphim.get("/api/v1/drift/" + model);
        assertEquals(200, r.statusCode(), r.body());
        JsonArray latest = Seraphim.json(r.body()).getJsonArray("latest");
        assertEquals(1, latest.size(), r.body());
        return latest.getJsonObject(0);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String expected) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(Seraphim.json(r.body()).getString("detail").contains(expected), r.body());
    }
}
