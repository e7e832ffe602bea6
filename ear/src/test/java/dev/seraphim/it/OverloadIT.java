package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model whose queue holds one request (text-classifier-q1 in the tests' model store): a burst of slow
 * requests is refused at once with 503 and Retry-After, never queued without bound, and counted.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OverloadIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 1024; i++) {
            ids.append(i == 0 ? "" : ",").append(1 + i % 997);
        }
        String body = "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,1024],\"data\":[" + ids + "]}]}";
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            burst.add(Seraphim.HTTP.sendAsync(Seraphim.post("/v2/models/text-classifier-q1/infer", body),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> f : burst) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
                continue;
            }
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 without Retry-After");
            assertTrue(Seraphim.json(r.body()).getString("error").contains("the queue of model text-classifier-q1 version 1 is full"), r.body());
            refused++;
        }
        // the readiness check reports the saturation (it remembers refusals for the test window of 2 s)
        HttpResponse<String> saturated = Seraphim.get("/health/ready");
        assertEquals(503, saturated.statusCode(), saturated.body());
        jakarta.json.JsonObject queues = Seraphim.healthCheck(saturated.body(), "inference-queues");
        assertEquals("DOWN", queues.getString("status"));
        assertTrue(queues.getJsonObject("data").containsKey("text-classifier-q1:1"), queues.toString());
        assertTrue(ok >= 1, "some requests are served");
        assertTrue(refused >= 1, "a queue of one cannot take a burst of 32 slow requests; none was refused");
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*seraphim_inference_requests_total\\{api=\"oip\",model=\"text-classifier-q1\",mp_scope=\"application\",outcome=\"rejected\",version=\"1\",?}\\s+[1-9].*"),
                "rejected requests are counted");

        HttpResponse<String> after = Seraphim.send(Seraphim.post("/v2/models/text-classifier-q1/infer", body));
        Thread.sleep(2500);
        HttpResponse<String> calm = Seraphim.get("/health/ready");
        assertEquals(200, calm.statusCode(), "ready again once the burst is over: " + calm.body());
        assertEquals("UP", Seraphim.healthCheck(calm.body(), "inference-queues").getString("status"));
        assertEquals(200, after.statusCode(), "the model serves again once the burst is over: " + after.body());
    }

    /** text-classifier-slow answers within 5 ms or not at all: a 2048-token sequence takes longer, so 504. */
    @Test
    void aRequestThatOutlivesItsTimeoutAnswers504() throws Exception {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 2048; i++) {
            ids.append(i == 0 ? "" : ",").append(1 + i % 997);
        }
        String body = "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,2048],\"data\":[" + ids + "]}]}";
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/text-classifier-slow/infer", body));
        assertEquals(504, r.statusCode(), r.body());
        assertTrue(Seraphim.json(r.body()).getString("error").contains("no result within 5 ms"), r.body());
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*seraphim_inference_requests_total\\{api=\"oip\",model=\"text-classifier-slow\",mp_scope=\"application\",outcome=\"timeout\",version=\"1\",?}\\s+[1-9].*"),
                "timeouts are counted");
    }
}
