package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge drill of issue 32 (deploy/drills/edge-drill.py) in its CI form: 200 connections of inference for
 * 5 s, then 40 bodies trickling at 1 byte/s beside a client's normal requests. The script itself holds the
 * rules (only 200, or 503/429 with Retry-After; no connection lost; every trickle ended with 408/429; the
 * requests beside them fast; a 200 again within 5 s) and exits 1 when one is broken.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EdgeDrillIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void overloadAndSlowBodiesAreAnsweredAndTheServerRecovers() throws Exception {
        String probeKey = SecurityIT.createKey("{\"name\":\"drill-probe\",\"role\":\"client\"}").getString("secret");
        Path script = Path.of("..", "deploy", "drills", "edge-drill.py").toAbsolutePath().normalize();
        Process drill = new ProcessBuilder("python3", script.toString(), "--port", System.getProperty("seraphim.it.port", "18080"),
                "--key", Seraphim.ADMIN_KEY, "--probe-key", probeKey, "--connections", "200", "--seconds", "5",
                "--slow", "40", "--slow-seconds", "6", "--timeout", "20")
                .redirectErrorStream(true).start();
        assertTrue(drill.waitFor(180, TimeUnit.SECONDS), "the drill ends within 3 minutes");
        String report = new String(drill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("EdgeDrillIT report: " + report);
        assertEquals(0, drill.exitValue(), report);
        assertTrue(report.contains("\"broken\": []"), report);
    }
}
