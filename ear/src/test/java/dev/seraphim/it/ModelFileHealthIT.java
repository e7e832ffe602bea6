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
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model-store readiness check goes DOWN when a loaded version's file disappears and UP when it is back. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ModelFileHealthIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void deletingALoadedModelsFileTakesTheModelStoreCheckDownUntilItIsBack() throws Exception {
        Path versionDir = Path.of(System.getProperty("seraphim.it.registry"), "tabular-mlp", "1");
        Path file;
        try (Stream<Path> files = Files.list(versionDir)) {
            List<Path> pt = files.filter(f -> f.getFileName().toString().endsWith(".pt")).toList();
            assertEquals(1, pt.size(), "one artifact for tabular-mlp 1 in " + versionDir);
            file = pt.get(0);
        }
        assertEquals(200, Seraphim.awaitReady().statusCode(), "ready before the file goes");
        Path aside = versionDir.resolveSibling("tabular-mlp-1.pt.aside");
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            HttpResponse<String> ready = Seraphim.get("/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            JsonObject store = Seraphim.healthCheck(ready.body(), "model-store");
            assertEquals("DOWN", store.getString("status"));
            assertTrue(store.getJsonObject("data").getString("problem").contains("tabular-mlp:1"), store.toString());
            assertEquals("degraded", Seraphim.json(Seraphim.get("/api/v1/health").body()).getString("status"));
            // the model is still in memory: serving goes on
            assertEquals(200, Seraphim.send(Seraphim.post("/api/v1/predict",
                    "{\"model\":\"tabular-mlp\",\"inputs\":{\"features\":[[" + "1,".repeat(15) + "1]]}}")).statusCode());
        } finally {
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
        }
        HttpResponse<String> ready = Seraphim.get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("UP", Seraphim.healthCheck(ready.body(), "model-store").getString("status"));
    }
}
