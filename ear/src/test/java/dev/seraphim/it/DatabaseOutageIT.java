package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 30-second database outage, made by stopping the test server's own PostgreSQL: predictions go on from the
 * loaded models, the database health check goes DOWN and the platform view says degraded, audit records wait
 * in the buffer; when the database is back, the check goes UP and every record of the outage is written.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DatabaseOutageIT {
    private static final int OUTAGE_SECONDS = 30;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aThirtySecondOutageLosesNoAuditRecord() throws Exception {
        assertEquals(200, Seraphim.awaitReady().statusCode(), "ready before the outage");
        String run = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        Instant from = Instant.now().minusSeconds(1);
        EmbeddedDatabase db = EmbeddedDatabase.onPort(Integer.getInteger("seraphim.it.db.port", 55433));
        db.stop();
        Set<String> sent = new HashSet<>();
        boolean sawDown = false;
        boolean sawDegraded = false;
        try {
            long end = System.nanoTime() + OUTAGE_SECONDS * 1_000_000_000L;
            int i = 0;
            while (System.nanoTime() < end) {
                String id = run + "-" + i++;
                HttpResponse<String> r = Seraphim.send(Seraphim.request(("/v2/models/tabular-mlp/infer"))
                        .header("X-Request-Id", id).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\","
                                + "\"shape\":[1,16],\"data\":[" + "0.5,".repeat(15) + i + "]}]}")).build());
                assertEquals(200, r.statusCode(), "predictions continue while the database is down: " + r.body());
                sent.add(id);
                if (i % 20 == 1) {
                    HttpResponse<String> ready = Seraphim.get("/health/ready");
                    if (ready.statusCode() == 503 && Seraphim.healthCheck(ready.body(), "database").getString("status").equals("DOWN")) {
                        sawDown = true;
                    }
                    HttpResponse<String> platform = Seraphim.get("/api/v1/health");
                    JsonObject view = Seraphim.json(platform.body());
                    if (platform.statusCode() == 200 && view.getString("status").equals("degraded")
                            && view.getJsonObject("checks").getString("database").equals("down")) {
                        sawDegraded = true;
                    }
                }
                Thread.sleep(100);
            }
            String metrics = Seraphim.get("/metrics?scope=application").body();
            assertTrue(metrics.matches("(?s).*\\nseraphim_database_up\\{mp_scope=\"application\",?}\\s+0(\\.0)?\\n.*"), "database_up is 0");
            assertTrue(metrics.matches("(?s).*\\nseraphim_audit_buffer_records\\{mp_scope=\"application\",?}\\s+[1-9][0-9]*(\\.0)?\\n.*"),
                    "records wait in the buffer");
        } finally {
            db.start(new File(System.getProperty("seraphim.it.db.restart.log", "target/it-postgres-restart.log")));
        }
        assertTrue(sawDown, "the database readiness check went DOWN during the outage");
        assertTrue(sawDegraded, "the platform health said degraded (200) during the outage");
        assertTrue(sent.size() >= OUTAGE_SECONDS * 5, "a steady load during the outage: " + sent.size());

        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Seraphim.get("/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        HttpResponse<String> ready = Seraphim.get("/health/ready");
        assertEquals(200, ready.statusCode(), "ready again once the database is back: " + ready.body());
        assertEquals("UP", Seraphim.healthCheck(ready.body(), "database").getString("status"));

        Map<String, JsonObject> audited = AuditRecords.awaitAll("model=tabular-mlp&from=" + from, sent, 60);
        Set<String> ours = new HashSet<>(audited.keySet());
        ours.removeIf(id -> !id.startsWith(run));
        assertEquals(sent, ours, "every prediction of the outage is in the audit trail, once");
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*\\nseraphim_audit_records_dropped_total\\{mp_scope=\"application\",reason=\"buffer_full\",?}\\s+0(\\.0)?\\n.*"),
                "nothing dropped");
        assertTrue(metrics.matches("(?s).*\\nseraphim_audit_write_failures_total\\{mp_scope=\"application\",?}\\s+[1-9].*"),
                "the failed writes of the outage are counted");
    }

    /**
     * A model audited synchronously (SERAPHIM_AUDIT_SYNCHRONOUS_AUDIT_SYNC in the failsafe configuration): its answer
     * leaves only once its record is stored, so the record is there the moment the answer is; with the database
     * frozen it is refused (503, Retry-After) within the synchronous timeout while other models answer on.
     */
    @Test
    void aSynchronouslyAuditedModelAnswersOnlyWithItsRecordStored() throws Exception {
        assertEquals(200, Seraphim.awaitReady().statusCode(), "ready");
        HttpResponse<String> reg = Registrations.register("{\"name\":\"audit-sync\"," + Registrations.MLP_SIGNATURE + "}",
                "model.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertTrue(reg.statusCode() == 201 || reg.statusCode() == 409, reg.body());
        for (int i = 0; i < 5; i++) {
            String id = "sync-" + UUID.randomUUID();
            assertEquals(200, infer("audit-sync", id).statusCode());
            // asked at once, with no waiting: an asynchronous record would still be in the buffer (flushed every 250 ms)
            JsonObject page = Seraphim.json(Seraphim.get("/api/v1/audit?request_id=" + id).body());
            assertEquals(1, page.getJsonArray("records").size(), "the record is stored before the answer leaves: " + page);
        }
        EmbeddedDatabase db = EmbeddedDatabase.onPort(Integer.getInteger("seraphim.it.db.port", 55433));
        db.signalAll("STOP");
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> refused = infer("audit-sync", "sync-frozen-" + UUID.randomUUID());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("audit record"), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
            assertTrue(ms < 6_000, "refused within the synchronous timeout (1.5 s) and its margin, not after the freeze: " + ms + " ms");
            assertEquals(200, infer("tabular-mlp", "async-frozen-" + UUID.randomUUID()).statusCode(),
                    "a model audited asynchronously answers on");
        } finally {
            db.signalAll("CONT");
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            status = infer("audit-sync", "sync-thawed-" + UUID.randomUUID()).statusCode();
            Thread.sleep(200);
        }
        assertEquals(200, status, "answers again once the database is back");
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*\\nseraphim_audit_synchronous_refused_total\\{mp_scope=\"application\",?}\\s+[1-9][0-9]*(\\.0)?\\n.*"),
                "withheld answers are counted");
    }

    private static HttpResponse<String> infer(String model, String id) throws Exception {
        return Seraphim.send(Seraphim.request("/v2/models/" + model + "/infer").header("X-Request-Id", id)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":"
                        + "\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + "0.5,".repeat(15) + "1]}]}")).build());
    }
}
