package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OIP metadata and health, MicroProfile Health and Metrics, and the database the server brought up itself. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ServerSurfaceIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void oipServerAndModelMetadata() throws Exception {
        HttpResponse<String> server = Seraphim.get("/v2");
        assertEquals(200, server.statusCode());
        assertEquals("seraphim", Seraphim.json(server.body()).getString("name"));
        assertEquals(200, Seraphim.get("/v2/health/live").statusCode());
        assertEquals(200, Seraphim.get("/v2/health/ready").statusCode());

        JsonObject meta = Seraphim.json(Seraphim.get("/v2/models/text-classifier").body());
        assertEquals("text-classifier", meta.getString("name"));
        assertEquals("pytorch_torchscript", meta.getString("platform"));
        JsonObject input = meta.getJsonArray("inputs").getJsonObject(0);
        assertEquals("input_ids", input.getString("name"));
        assertEquals("INT64", input.getString("datatype"));
        assertEquals("[-1,-1]", input.getJsonArray("shape").toString());
        assertEquals(200, Seraphim.get("/v2/models/tiny-cnn/versions/1").statusCode());
        assertEquals(200, Seraphim.get("/v2/models/tiny-cnn/ready").statusCode());
        assertEquals(200, Seraphim.get("/v2/models/tiny-cnn/versions/1/ready").statusCode());
        assertEquals(404, Seraphim.get("/v2/models/tiny-cnn/versions/7/ready").statusCode());
    }

    /**
     * A version registered but not loaded: readiness false is a 4xx with no body (the specification's boolean), and
     * its metadata is the registry's signature, not a 503.
     */
    @Test
    void aRegisteredVersionNotLoadedIsNotReadyWithoutBodyAndHasMetadata() throws Exception {
        String name = Registrations.unique("unloaded");
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\",\"load\":false," + Registrations.MLP_SIGNATURE + "}",
                "model.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, r.statusCode(), r.body());
        for (String path : new String[]{"/v2/models/" + name + "/ready", "/v2/models/" + name + "/versions/1/ready"}) {
            HttpResponse<String> ready = Seraphim.get(path);
            assertEquals(400, ready.statusCode(), path + ": " + ready.body());
            assertEquals("", ready.body(), path + " answers with no body");
        }
        for (String path : new String[]{"/v2/models/" + name, "/v2/models/" + name + "/versions/1"}) {
            HttpResponse<String> meta = Seraphim.get(path);
            assertEquals(200, meta.statusCode(), path + ": " + meta.body());
            JsonObject m = Seraphim.json(meta.body());
            assertEquals("features", m.getJsonArray("inputs").getJsonObject(0).getString("name"));
            assertEquals("[]", m.getJsonArray("versions").toString(), "no version loaded here");
        }
        assertEquals(404, Seraphim.get("/v2/models/" + name + "/versions/9/ready").statusCode(), "an unknown version is an error");
    }

    @Test
    void healthReportsTheDatabaseAndEveryModel() throws Exception {
        HttpResponse<String> ready = Seraphim.awaitReady();
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"name\":\"database\""), ready.body());
        assertTrue(ready.body().matches("(?s).*\"schema_version\":\"[1-9][0-9]*\".*"), "Flyway migrated the schema: " + ready.body());
        assertTrue(ready.body().contains("\"tabular-mlp:1\":\"READY\""), ready.body());
        assertTrue(ready.body().contains("\"name\":\"model-store\"") && ready.body().contains("\"name\":\"inference-queues\""),
                ready.body());
        assertEquals(200, Seraphim.get("/health/live").statusCode());
        assertEquals(200, Seraphim.get("/health/started").statusCode());

        HttpResponse<String> platform = Seraphim.get("/api/v1/health");
        assertEquals(200, platform.statusCode(), platform.body());
        JsonObject view = Seraphim.json(platform.body());
        assertTrue(java.util.Set.of("healthy", "degraded").contains(view.getString("status")), platform.body());
        assertEquals("ready", view.getJsonObject("checks").getString("models"));
        assertEquals("up", view.getJsonObject("checks").getString("database"));
        assertTrue(view.getJsonObject("database").getBoolean("up"));
        assertTrue(view.getJsonArray("models_loaded").toString().contains("\"name\":\"tabular-mlp\""), platform.body());
        assertTrue(Seraphim.json(Seraphim.get("/api/v1/health/model").body()).getJsonArray("loaded").size() >= 3);
        JsonObject system = Seraphim.json(Seraphim.get("/api/v1/health/system").body());
        assertEquals("up", system.getJsonObject("model_store").getString("status"), system.toString());
        assertTrue(system.getJsonNumber("native_physical_bytes").longValue() > 0);
    }

    /**
     * The tests' model store holds a-unreadable.json, whose intra_op_threads is not an integer: sorted first, it
     * used to stop the import, so that no model at all was imported. Now it is logged and the others are served.
     */
    @Test
    void aBadDescriptorInTheModelStoreCostsOnlyItsOwnModel() throws Exception {
        Seraphim.awaitReady();
        assertTrue(Seraphim.logLines().stream().anyMatch(l -> l.contains(
                "model store: descriptor a-unreadable.json: 'intra_op_threads' must be an integer")), "the refusal is logged");
        assertEquals(404, Seraphim.get("/v2/models/a-unreadable").statusCode());
        for (String after : new String[]{"tabular-mlp", "text-classifier-q1", "tiny-cnn"}) {
            assertEquals(200, Seraphim.get("/v2/models/" + after + "/ready").statusCode(), after + " was imported after it");
        }
        String metrics = Seraphim.get("/metrics?scope=application").body();
        // the import runs at the first deployment of a test run only (each IT class deploys the EAR again, on the
        // same database), so the count depends on which class ran first: here only that both series are exported
        for (String stage : new String[]{"descriptor", "import"}) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("seraphim_model_store_rejected_total{")
                    && l.contains("stage=\"" + stage + "\"")), "rejections counted for stage " + stage);
        }
        assertEquals(0.0, value(metrics, "seraphim_model_store_rejected_total", "stage=\"import\""), "every readable model imported");
    }

    @Test
    void metricsCountRequestsAndTimeThemPerModel() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + "0.5,".repeat(15) + "0.5]}]}";
        assertEquals(200, Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer", body)).statusCode());
        String before = Seraphim.get("/metrics").body();
        double served = value(before, "seraphim_inference_requests_total", "api=\"oip\"", "model=\"tabular-mlp\"", "outcome=\"success\"");
        double timed = value(before, "seraphim_inference_request_duration_seconds_count", "model=\"tabular-mlp\"", "version=\"1\"");
        for (int i = 0; i < 7; i++) {
            assertEquals(200, Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer", body)).statusCode());
        }
        String metrics = Seraphim.get("/metrics").body();
        assertEquals(served + 7, value(metrics, "seraphim_inference_requests_total", "api=\"oip\"", "model=\"tabular-mlp\"",
                "outcome=\"success\""), "the request counter moves exactly with the requests served");
        assertEquals(timed + 7, value(metrics, "seraphim_inference_request_duration_seconds_count", "model=\"tabular-mlp\"",
                "version=\"1\""), "the latency histogram counts every request");
        for (String name : new String[]{"seraphim_inference_request_duration_seconds_bucket{", "seraphim_batch_size_bucket{",
                "seraphim_batches_total{", "seraphim_queue_wait_seconds_bucket{", "seraphim_batch_compute_seconds_bucket{",
                "seraphim_queue_depth{", "seraphim_queue_rejected_total{", "seraphim_model_load_duration_seconds_count{",
                "seraphim_model_versions{", "seraphim_native_physical_bytes{", "seraphim_native_allocated_bytes{",
                "seraphim_database_up{", "seraphim_model_store_free_bytes{", "seraphim_model_store_rejected_total{"}) {
            assertTrue(metrics.contains(name), name + " is exported");
        }
        assertTrue(value(metrics, "seraphim_model_versions", "state=\"READY\"") >= 3, "the demo models are READY");
        assertEquals(1.0, value(metrics, "seraphim_database_up"), "the database is up");
        // CI checks Seraphim's own metrics with promtool (.ci/run); Liberty's base and vendor metrics use camelCase
        Files.writeString(Path.of(System.getProperty("seraphim.it.metrics.out")), Seraphim.get("/metrics?scope=application").body());
    }

    @Test
    void everyRequestHasAnIdEchoedAndFailuresAnAccessLine() throws Exception {
        String data = "0.25,".repeat(15) + "0.25";
        String id = "it-" + System.nanoTime();
        HttpResponse<String> given = Seraphim.send(Seraphim.request(("/v2/models/tabular-mlp/infer")).header("X-Request-Id", id)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + data + "]}]}")).build());
        assertEquals(200, given.statusCode());
        assertEquals(id, given.headers().firstValue("X-Request-Id").orElse(""));
        // the same values under a shape they do not fill: 400, and an access line (the default policy: failures)
        String failedId = "it-failed-" + System.nanoTime();
        HttpResponse<String> failed = Seraphim.send(Seraphim.request(("/v2/models/tabular-mlp/infer")).header("X-Request-Id", failedId)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[2,16],\"data\":[" + data + "]}]}")).build());
        assertEquals(400, failed.statusCode(), failed.body());
        assertEquals(failedId, failed.headers().firstValue("X-Request-Id").orElse(""));
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> traced = Seraphim.send(Seraphim.request(("/api/v1/predict"))
                .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"nope\",\"inputs\":{}}")).build());
        assertEquals(404, traced.statusCode());
        assertEquals(trace, traced.headers().firstValue("X-Request-Id").orElse(""));
        String generated = Seraphim.get("/v2").headers().firstValue("X-Request-Id").orElse("");
        assertTrue(generated.matches("[0-9a-f-]{36}"), "a generated id: " + generated);

        String line = null;
        for (int i = 0; i < 50 && line == null; i++) {
            line = Seraphim.logLines().stream().filter(l -> l.contains("request_id=" + failedId)).findFirst().orElse(null);
            Thread.sleep(100);
        }
        assertTrue(line != null, "an access line for the failed request " + failedId);
        assertTrue(line.contains("model=tabular-mlp") && line.contains("status=400") && line.contains("outcome=client_error")
                && line.contains("duration_ms="), line);
        // the tensor's values (not a timestamp that happens to hold "0.25", as in "20.255")
        assertTrue(!line.contains("0.25,0.25") && !line.contains("\"data\""), "no input data in logs: " + line);
        assertTrue(line.startsWith("{"), "messages.log is JSON: " + line);
        // the success was answered before the failure was sent, and is in the metrics and the audit trail instead
        assertTrue(Seraphim.logLines().stream().noneMatch(l -> l.contains("request_id=" + id)), "no access line for a success by default");
    }

    /** The value of the one sample of {@code name} whose labels include all of {@code labels}. */
    static double value(String metrics, String name, String... labels) {
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String labelPart = line.substring(name.length(), line.lastIndexOf('}') + 1);
            boolean all = true;
            for (String l : labels) {
                all &= labelPart.contains(l);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim());
            }
        }
        return 0;
    }
}
