package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prediction audit trail: under concurrent load every request served has exactly one record, with its
 * request id, timing and outcome; the tests' configuration asks for hashes of tabular-mlp's payloads and for a
 * copy of every text-classifier payload (SERAPHIM_AUDIT_PAYLOAD_* in the failsafe configuration).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PredictionAuditIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void underConcurrentLoadTheAuditRowsEqualThePredictionsServed() throws Exception {
        String run = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        Instant from = Instant.now().minusSeconds(1);
        int n = 240;
        Map<String, String> bodies = new HashMap<>();
        Map<String, HttpResponse<String>> responses = new HashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            Map<String, Future<HttpResponse<String>>> calls = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String id = run + "-" + i;
                StringBuilder row = new StringBuilder();
                for (int f = 0; f < 16; f++) {
                    row.append(f == 0 ? "" : ",").append((i * 16 + f) % 7 - 3.5);
                }
                // every tenth request is wrong (a row of 15 features): failures are audited too
                String body = i % 10 == 9 ? "{\"model\":\"tabular-mlp\",\"inputs\":{\"features\":[[1,2,3]]}}"
                        : "{\"model\":\"tabular-mlp\",\"inputs\":{\"features\":[[" + row + "]]}}";
                bodies.put(id, body);
                HttpRequest request = Seraphim.request(("/api/v1/predict")).header("X-Request-Id", id)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                calls.put(id, clients.submit(() -> Seraphim.send(request)));
            }
            for (Map.Entry<String, Future<HttpResponse<String>>> c : calls.entrySet()) {
                responses.put(c.getKey(), c.getValue().get());
            }
        } finally {
            clients.shutdown();
        }
        Instant to = Instant.now().plusSeconds(1);

        Map<String, JsonObject> audited = AuditRecords.awaitAll("model=tabular-mlp&from=" + from + "&to=" + to,
                responses.keySet(), 30);
        Map<String, JsonObject> ours = new HashMap<>(audited);
        ours.keySet().removeIf(id -> !id.startsWith(run + "-"));
        assertEquals(responses.keySet(), ours.keySet(), "one audit record per request served, no more, no less");

        int served = 0;
        for (Map.Entry<String, HttpResponse<String>> e : responses.entrySet()) {
            JsonObject a = ours.get(e.getKey());
            HttpResponse<String> r = e.getValue();
            assertEquals(r.statusCode(), a.getInt("status"), a.toString());
            assertEquals("predict", a.getString("api"));
            assertEquals("tabular-mlp", a.getString("model"));
            Instant received = Instant.parse(a.getString("received_at"));
            assertTrue(!received.isBefore(from) && received.isBefore(to), "received_at within the test: " + a);
            assertTrue(a.getJsonNumber("latency_us").longValue() > 0, a.toString());
            assertEquals("127.0.0.0", a.getString("client_address"), "client addresses are masked to their /24");
            if (r.statusCode() == 200) {
                served++;
                assertEquals("success", a.getString("outcome"));
                assertEquals("1", a.getString("version"));
                assertTrue(a.getInt("batch_rows") >= 1, a.toString());
                assertTrue(a.getJsonNumber("compute_us").longValue() > 0, a.toString());
                assertTrue(a.getJsonNumber("latency_us").longValue() >= a.getJsonNumber("queue_us").longValue(), a.toString());
                // the model's payload policy is "hash": exactly the bytes that crossed the wire
                assertEquals(sha256(bodies.get(e.getKey())), a.getString("input_sha256"));
                assertEquals(sha256(r.body()), a.getString("output_sha256"));
                assertFalse(a.containsKey("input_sample"), "hash policy keeps no copy of inputs");
            } else {
                assertEquals(400, r.statusCode(), r.body());
                assertEquals("client_error", a.getString("outcome"));
                assertFalse(a.containsKey("input_sha256"), "failed requests carry no payload hash");
            }
        }
        assertEquals(n - n / 10, served);

        // the same records through the other filters
        String some = run + "-0";
        Map<String, JsonObject> byId = AuditRecords.read("request_id=" + some, 10);
        assertEquals(1, byId.size());
        assertEquals(ours.get(some).getJsonNumber("id"), byId.get(some).getJsonNumber("id"));
        Map<String, JsonObject> failures = AuditRecords.read("model=tabular-mlp&outcome=client_error&from=" + from + "&to=" + to, 7);
        assertEquals(n / 10, failures.keySet().stream().filter(id -> id.startsWith(run)).count());

        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*\\nseraphim_audit_records_written_total\\{mp_scope=\"application\",?}\\s+([0-9.]+).*"), metrics);
        assertTrue(metrics.matches("(?s).*\\nseraphim_audit_records_dropped_total\\{mp_scope=\"application\",reason=\"buffer_full\",?}\\s+0(\\.0)?\\n.*"),
                "nothing dropped");
    }

    @Test
    void aSampledModelKeepsACopyOfItsPayloads() throws Exception {
        String id = "audit-sample-" + UUID.randomUUID();
        String body = "{\"model\":\"text-classifier\",\"inputs\":{\"input_ids\":[[5,17,42,8]]}}";
        HttpResponse<String> r = Seraphim.send(Seraphim.request(("/api/v1/predict")).header("X-Request-Id", id)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode(), r.body());
        JsonObject a = AuditRecords.awaitAll("request_id=" + id, java.util.Set.of(id), 20).get(id);
        assertEquals(body, a.getString("input_sample"));
        assertEquals(r.body(), a.getString("output_sample"));
        assertEquals(sha256(body), a.getString("input_sha256"));
    }

    @Test
    void auditQueriesAreValidated() throws Exception {
        for (String bad : List.of("limit=0", "limit=1001", "limit=x", "from=yesterday", "to=2026-13-01T00:00:00Z",
                "cursor=abc", "outcome=great", "model=../etc", "request_id=%20")) {
            HttpResponse<String> r = Seraphim.get("/api/v1/audit?" + bad);
            assertEquals(400, r.statusCode(), bad + " → " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), bad);
            assertFalse(Seraphim.json(r.body()).getString("detail").isBlank());
        }
        HttpResponse<String> empty = Seraphim.get("/api/v1/audit?model=never-called-" + UUID.randomUUID());
        assertEquals(200, empty.statusCode());
        assertEquals(0, Seraphim.json(empty.body()).getJsonArray("records").size());
        assertTrue(Seraphim.json(empty.body()).isNull("next_cursor"), "one page, no next");
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
