package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting the application inside the running server must not meet libtorch's natives "already loaded in
 * another class loader": they live in the server's global library. Infer, register a model, undeploy, deploy,
 * infer again, on the demo model and on the registered one, which the registry brings back.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RestartIT {
    private static final String APP = "restartable";

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = APP, managed = false, testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void inferenceWorksAfterTheApplicationRestarts() throws Exception {
        deployer.deploy(APP);
        String registered = "kept-" + Long.toString(System.nanoTime(), 36);
        try {
            assertGoldenAnswer();
            HttpResponse<String> r = Registrations.register("{\"name\":\"" + registered + "\"," + Registrations.MLP_SIGNATURE + "}",
                    "m.pt", Registrations.demoModel("tabular-mlp.pt"));
            assertEquals(201, r.statusCode(), r.body());
            deployer.undeploy(APP);
            deployer.deploy(APP);
            assertGoldenAnswer();
            // what the registry says is loaded is loaded again after the restart
            Golden mlp = Golden.load("tabular-mlp");
            HttpResponse<String> again = Seraphim.send(Seraphim.post("/v2/models/" + registered + "/infer", mlp.cases().get(0).oipBody()));
            assertEquals(200, again.statusCode(), again.body());
            mlp.assertClose(mlp.cases().get(0), Golden.flatten(Seraphim.json(again.body()).getJsonArray("outputs").getJsonObject(0)
                    .getJsonArray("data")), "registered model after restart");
            assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + registered + "/versions/1?force=true", null).statusCode());
            HttpResponse<String> ready = Seraphim.get("/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            deployer.undeploy(APP);
        }
    }

    /** A rollout is persisted: the application stops in its first step and, started again, resumes it to the end. */
    @Test
    void aRolloutRunningWhenTheApplicationRestartsResumesWhereItWas() throws Exception {
        deployer.deploy(APP);
        try {
            String model = RolloutIT.textModel("text-classifier.pt", true);
            HttpResponse<String> started = RolloutIT.start(model, "{\"candidate\": \"2\", \"steps\": [50, 100], \"step_seconds\": 3,"
                    + " \"guard\": {\"min_requests_per_step\": 5, \"max_p95_ratio\": 1000}}");
            assertEquals(201, started.statusCode(), started.body());
            long id = Seraphim.json(started.body()).getJsonNumber("id").longValue();
            deployer.undeploy(APP);
            deployer.deploy(APP);
            jakarta.json.JsonObject resumed = Seraphim.json(Seraphim.get("/api/v1/models/" + model + "/rollouts/" + id).body());
            assertEquals("RUNNING", resumed.getString("state"), "still running after the restart: " + resumed);
            assertEquals("{\"1\":50,\"2\":50}", RolloutIT.weights(model), "its step's weights applied again");
            jakarta.json.JsonObject end = RolloutIT.driveUntilEnded(model, id, 60);
            assertEquals("PROMOTED", end.getString("state"), end.toString());
            String audit = RolloutIT.audit(model);
            assertEquals(1, audit.split("advanced to 100 %", -1).length - 1, "each step decided once: " + audit);
        } finally {
            deployer.undeploy(APP);
        }
    }

    @Test
    void aMissedScheduledRunRunsOnceAtTheNextStartNotOncePerMissedTime() throws Exception {
        // the drill's schedule (04:00 on the 1st) last ran 70 days ago: at least two scheduled times were missed
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        java.time.ZonedDateTime latest = now.withDayOfMonth(1).withHour(4).withMinute(0).withSecond(0).withNano(0);
        if (latest.isAfter(now)) {
            latest = latest.minusMonths(1);
        }
        try {
            deployer.deploy(APP); // the application starts its PostgreSQL
            try (java.sql.Connection c = database(); java.sql.Statement s = c.createStatement()) {
                s.execute("DELETE FROM job_schedule_run WHERE job = 'recovery-drill'");
                s.execute("INSERT INTO job_schedule_run (job, scheduled_for, claimed_by) VALUES ('recovery-drill', now() - interval '70 days', 'test')");
            }
            deployer.undeploy(APP);
            deployer.deploy(APP); // the start after the "outage"
            awaitCaughtUpRunEnded();
            deployer.undeploy(APP);
            deployer.deploy(APP); // a second start must not run it again
            try (java.sql.Connection c = database(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT scheduled_for, catch_up, execution_id FROM job_schedule_run"
                         + " WHERE job = 'recovery-drill' AND claimed_by <> 'test' ORDER BY scheduled_for")) {
                assertTrue(r.next(), "the missed run was caught up");
                assertEquals(latest.toInstant(), r.getTimestamp(1).toInstant(), "the latest missed time, once");
                assertTrue(r.getBoolean(2), "flagged catch_up");
                assertTrue(r.getLong(3) > 0, "it started a job execution");
                assertTrue(!r.next(), "one run for all the missed times, and none at the second start");
            }
        } finally {
            deployer.undeploy(APP);
        }
    }

    private static void awaitCaughtUpRunEnded() throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.sql.Connection c = database(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT execution_id FROM job_schedule_run WHERE job = 'recovery-drill' AND catch_up"
                         + " AND execution_id IS NOT NULL")) {
                if (r.next()) {
                    String status = Seraphim.json(Seraphim.get("/api/v1/jobs/" + r.getLong(1)).body()).getString("status");
                    if (status.equals("COMPLETED") || status.equals("FAILED")) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the caught-up drill did not end within 60 s");
    }

    private static java.sql.Connection database() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + System.getProperty("seraphim.it.db.port") + "/seraphim", "seraphim", "");
    }

    private static void assertGoldenAnswer() throws Exception {
        Golden golden = Golden.load("text-classifier");
        Golden.Case c = golden.cases().get(2);
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/text-classifier/infer", c.oipBody()));
        assertEquals(200, r.statusCode(), r.body());
        var out = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0);
        golden.assertClose(c, Golden.flatten(out.getJsonArray("data")), "after restart");
        assertTrue(r.body().contains("\"model_name\":\"text-classifier\""));
    }
}
