package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database's two failures of the fault drills: a frozen PostgreSQL (every process stopped) must turn the
 * health checks DOWN within their timeout instead of hanging them, and a killed one must be started again by
 * the server itself (the test server waits 40 s before it restarts it, SERAPHIM_DB_EMBEDDED_RESTART_AFTER_SECONDS).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseSupervisionIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    private static EmbeddedDatabase database() throws Exception {
        return EmbeddedDatabase.onPort(Integer.getInteger("seraphim.it.db.port", 55433));
    }

    @Test
    @Order(1)
    void healthAnswersDownWithinItsTimeoutWhileTheDatabaseIsFrozen() throws Exception {
        assertEquals(200, Seraphim.awaitReady().statusCode(), "ready before the freeze");
        EmbeddedDatabase db = database();
        db.signalAll("STOP");
        try {
            Thread.sleep(500);
            for (String path : new String[]{"/health/ready", "/api/v1/health"}) {
                long start = System.nanoTime();
                HttpResponse<String> r = Seraphim.get(path);
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertTrue(millis < 5_000, path + " answered in " + millis + " ms while the database is frozen");
                if (path.equals("/health/ready")) {
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("DOWN", Seraphim.healthCheck(r.body(), "database").getString("status"), r.body());
                } else {
                    assertEquals("down", Seraphim.json(r.body()).getJsonObject("checks").getString("database"), r.body());
                }
            }
        } finally {
            db.signalAll("CONT");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Seraphim.get("/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(200, Seraphim.get("/health/ready").statusCode(), "ready again after the thaw");
    }

    @Test
    @Order(2)
    void aKilledDatabaseIsStartedAgainByTheServer() throws Exception {
        assertEquals(200, Seraphim.awaitReady().statusCode(), "ready before the kill");
        database().kill9();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        boolean sawDown = false;
        while (System.nanoTime() < deadline) {
            int status = Seraphim.get("/health/ready").statusCode();
            sawDown |= status == 503;
            if (sawDown && status == 200) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(sawDown, "readiness went DOWN while the database was gone");
        HttpResponse<String> ready = Seraphim.get("/health/ready");
        assertEquals(200, ready.statusCode(), "the server started its PostgreSQL again: " + ready.body());
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(metrics.matches("(?s).*\\nseraphim_database_embedded_restarts_total\\{mp_scope=\"application\",?}\\s+[1-9].*"),
                "the restart is counted");
        assertTrue(Seraphim.logLines().stream().anyMatch(l -> l.contains("the embedded PostgreSQL runs again")), "and logged");
    }
}
