package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

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

    @Test
    void healthReportsTheDatabaseAndEveryModel() throws Exception {
        HttpResponse<String> ready = Seraphim.get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"name\":\"database\""), ready.body());
        assertTrue(ready.body().matches("(?s).*\"schema_version\":\"[1-9][0-9]*\".*"), "Flyway migrated the schema: " + ready.body());
        assertTrue(ready.body().contains("\"tabular-mlp:1\":\"READY\""), ready.body());
        assertEquals(200, Seraphim.get("/health/live").statusCode());
        assertEquals(200, Seraphim.get("/health/started").statusCode());
    }

    @Test
    void metricsCountRequestsAndTimeThemPerModel() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + "0.5,".repeat(15) + "0.5]}]}";
        assertEquals(200, Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer", body)).statusCode());
        String metrics = Seraphim.get("/metrics").body();
        assertTrue(metrics.matches("(?s).*seraphim_inference_requests_total\\{api=\"oip\",model=\"tabular-mlp\",mp_scope=\"application\",outcome=\"success\",version=\"1\",?}\\s+[1-9].*"),
                "request counter per model");
        assertTrue(metrics.contains("seraphim_inference_request_duration_seconds_bucket{model=\"tabular-mlp\""), "latency histogram buckets");
        assertTrue(metrics.contains("seraphim_batch_size"), "batch size histogram");
    }
}
