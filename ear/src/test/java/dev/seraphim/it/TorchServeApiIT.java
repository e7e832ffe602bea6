package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TorchServe's management and inference API, as the seed runbooks call it, over the same registry. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TorchServeApiIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    private static JsonArray array(String body) {
        try (JsonReader r = Json.createReader(new StringReader(body))) {
            return r.readArray();
        }
    }

    @Test
    void registerScaleDescribePredictSetDefaultUnregister() throws Exception {
        HttpResponse<String> ping = Seraphim.get("/ping");
        assertEquals(200, ping.statusCode());
        assertEquals("Healthy", Seraphim.json(ping.body()).getString("status"));

        String name = "ts-" + Long.toString(System.nanoTime(), 36);
        HttpResponse<String> registered = Registrations.call("POST",
                "/models?url=tabular-mlp.pt&model_name=" + name + "&initial_workers=1&synchronous=true&batch_size=8&max_batch_delay=5", null);
        assertEquals(200, registered.statusCode(), registered.body());
        assertTrue(Seraphim.json(registered.body()).getString("status").contains("registered with 1 initial workers"), registered.body());

        assertTrue(Seraphim.get("/models").body().contains("\"modelName\":\"" + name + "\""));
        JsonObject described = array(Seraphim.get("/models/" + name).body()).getJsonObject(0);
        assertEquals(name, described.getString("modelName"));
        assertEquals("1", described.getString("modelVersion"));
        assertEquals(8, described.getInt("batchSize"));
        assertEquals(5, described.getInt("maxBatchDelay"));
        assertEquals(1, described.getJsonArray("workers").size());
        assertEquals("READY", described.getJsonArray("workers").getJsonObject(0).getString("status"));
        assertEquals(1, Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/1").body()).getInt("intra_op_threads"),
                "the store descriptor's intra_op_threads, which TorchServe's parameters cannot give, is kept");

        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(1);
        String rows = c.predictBody().replaceFirst("^\\{\"model\":\"tabular-mlp\",\"inputs\":\\{\"features\":", "").replaceFirst("}}$", "");
        HttpResponse<String> prediction = Seraphim.send(Seraphim.post("/predictions/" + name, rows));
        assertEquals(200, prediction.statusCode(), prediction.body());
        golden.assertClose(c, Golden.flatten(array(prediction.body())), "TorchServe predictions");

        HttpResponse<String> again = Registrations.call("POST", "/models?url=tabular-mlp.pt&model_name=" + name, null);
        assertEquals(409, again.statusCode(), "TorchServe refuses a version already registered: " + again.body());
        assertEquals("ConflictStatusException", Seraphim.json(again.body()).getString("type"));
        HttpResponse<String> second = Registrations.register("{\"name\":\"" + name + "\",\"version\":\"2\",\"load\":false,"
                + Registrations.MLP_SIGNATURE + "}", "model.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, second.statusCode(), second.body());
        HttpResponse<String> noWorkers = Seraphim.send(Seraphim.post("/predictions/" + name + "/2", rows));
        assertEquals(503, noWorkers.statusCode(), "a version with no workers is not served: " + noWorkers.body());
        assertEquals("ServiceUnavailableException", Seraphim.json(noWorkers.body()).getString("type"));

        HttpResponse<String> scaled = Registrations.call("PUT", "/models/" + name + "/2?min_worker=1&synchronous=true", null);
        assertEquals(200, scaled.statusCode(), scaled.body());
        assertTrue(scaled.body().contains("Workers scaled to 1"), scaled.body());
        HttpResponse<String> switched = Registrations.call("PUT", "/models/" + name + "/2/set-default", null);
        assertEquals(200, switched.statusCode(), switched.body());
        assertEquals("2", array(Seraphim.get("/models/" + name).body()).getJsonObject(0).getString("modelVersion"));
        assertEquals(2, array(Seraphim.get("/models/" + name + "/all").body()).size());
        HttpResponse<String> viaVersion = Seraphim.send(Seraphim.post("/predictions/" + name + "/2", rows));
        assertEquals(200, viaVersion.statusCode(), viaVersion.body());

        HttpResponse<String> removeDefault = Registrations.call("DELETE", "/models/" + name + "/2", null);
        assertEquals(400, removeDefault.statusCode(), "TorchServe: the default version stays while others exist: " + removeDefault.body());
        assertTrue(Seraphim.json(removeDefault.body()).getString("message").startsWith("Can't remove default version"), removeDefault.body());
        HttpResponse<String> unregistered = Registrations.call("DELETE", "/models/" + name + "/1", null);
        assertEquals(200, unregistered.statusCode(), unregistered.body());
        assertEquals("Model \"" + name + "\" unregistered", Seraphim.json(unregistered.body()).getString("status"));
        assertEquals(200, Registrations.call("DELETE", "/models/" + name + "/2", null).statusCode());
        assertEquals(404, Seraphim.get("/models/" + name).statusCode());
    }

    @Test
    void errorsComeInTorchServesShape() throws Exception {
        HttpResponse<String> unknown = Seraphim.get("/models/no-such-model");
        assertEquals(404, unknown.statusCode());
        JsonObject error = Seraphim.json(unknown.body());
        assertEquals(404, error.getInt("code"));
        assertEquals("ModelNotFoundException", error.getString("type"));

        HttpResponse<String> outside = Registrations.call("POST", "/models?url=../../../etc/passwd", null);
        assertEquals(400, outside.statusCode(), outside.body());
        assertTrue(Seraphim.json(outside.body()).getString("message").contains("inside the model store"), outside.body());

        assertEquals(404, Seraphim.send(Seraphim.post("/predictions/no-such-model", "[[1]]")).statusCode());
        HttpResponse<String> notJson = Seraphim.send(Seraphim.post("/predictions/tabular-mlp", "not json"));
        assertEquals(400, notJson.statusCode(), notJson.body());
        assertTrue(Seraphim.json(notJson.body()).getString("message").contains("JSON tensors"), notJson.body());
    }

    /** TorchServe's default initial_workers=0: a model with no worker is there to describe, scale and delete. */
    @Test
    void aModelRegisteredWithoutWorkersIsDescribedScaledAndDeleted() throws Exception {
        String name = "ts0-" + Long.toString(System.nanoTime(), 36);
        HttpResponse<String> registered = Registrations.call("POST", "/models?url=tabular-mlp.pt&model_name=" + name, null);
        assertEquals(200, registered.statusCode(), registered.body());
        JsonObject listed = Seraphim.json(Seraphim.get("/models?limit=1000").body()).getJsonArray("models").stream()
                .map(v -> v.asJsonObject()).filter(m -> m.getString("modelName").equals(name)).findFirst().orElseThrow();
        assertFalse(listed.getString("modelUrl").isEmpty(), "listed with its file: " + listed);

        HttpResponse<String> described = Seraphim.get("/models/" + name);
        assertEquals(200, described.statusCode(), described.body());
        JsonObject d = array(described.body()).getJsonObject(0);
        assertEquals(0, d.getInt("minWorkers"));
        assertFalse(d.getBoolean("loadedAtStartup"), "registered at run time");
        assertTrue(d.getJsonObject("jobQueueStatus").containsKey("remainingCapacity"), d.toString());
        assertEquals(0, d.getJsonObject("jobQueueStatus").getInt("pendingRequests"));
        assertTrue(array(Seraphim.get("/models/tabular-mlp").body()).getJsonObject(0).getBoolean("loadedAtStartup"),
                "a model from the model store at start");
        JsonObject custom = array(Seraphim.get("/models/" + name + "?customized=true").body()).getJsonObject(0);
        assertTrue(Seraphim.json(custom.getString("customizedMetadata")).containsKey("sha256"), custom.toString());

        HttpResponse<String> scaled = Registrations.call("PUT", "/models/" + name + "?min_worker=2&max_worker=4&synchronous=true", null);
        assertEquals(200, scaled.statusCode(), scaled.body());
        JsonObject after = array(Seraphim.get("/models/" + name).body()).getJsonObject(0);
        assertEquals(2, after.getInt("minWorkers"));
        assertEquals(4, after.getInt("maxWorkers"));
        assertEquals(2, after.getJsonArray("workers").size());

        for (String bad : new String[]{"min_worker=3&max_worker=1", "min_worker=abc", "max_worker=x"}) {
            HttpResponse<String> r = Registrations.call("PUT", "/models/" + name + "?" + bad, null);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertEquals("BadRequestException", Seraphim.json(r.body()).getString("type"));
        }
        assertEquals("max_worker cannot be less than min_worker.", Seraphim.json(
                Registrations.call("PUT", "/models/" + name + "?min_worker=3&max_worker=1", null).body()).getString("message"));
        for (String bad : new String[]{"limit=abc", "next_page_token=xyz"}) {
            HttpResponse<String> r = Seraphim.get("/models?" + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
        }
        assertEquals(200, Seraphim.get("/models?limit=-5").statusCode(), "a limit out of range becomes 100");

        HttpResponse<String> noVersion = Seraphim.get("/models/" + name + "/9");
        assertEquals(404, noVersion.statusCode());
        assertEquals("ModelVersionNotFoundException", Seraphim.json(noVersion.body()).getString("type"));

        HttpResponse<String> deleted = Registrations.call("DELETE", "/models/" + name, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals(404, Seraphim.get("/models/" + name).statusCode());
    }

    @Test
    void unauthenticatedAndWrongMethodAnswersCarryTorchServesTypes() throws Exception {
        HttpResponse<String> noKey = Seraphim.HTTP.send(java.net.http.HttpRequest.newBuilder(Seraphim.uri("/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noKey.statusCode());
        assertEquals("InvalidKeyException", Seraphim.json(noKey.body()).getString("type"), noKey.body());
        HttpResponse<String> wrongMethod = Registrations.call("PATCH", "/predictions/tabular-mlp", "{}");
        assertEquals(405, wrongMethod.statusCode(), wrongMethod.body());
        assertEquals("MethodNotAllowedException", Seraphim.json(wrongMethod.body()).getString("type"), wrongMethod.body());
    }
}
