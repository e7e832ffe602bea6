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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/operations.md cannot rot: every curl line of its bash blocks runs, in order, against the test server with
 * curl's --fail-with-body (a 4xx or 5xx fails it), and the runbooks' aliases answer as the document says.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperationsRunbookIT {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    /** The curl commands of the document's bash blocks, continuation lines joined, in order. */
    static List<String> commands(List<String> lines) {
        List<String> commands = new ArrayList<>();
        boolean inBash = false;
        StringBuilder current = null;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inBash = line.equals("```bash");
                continue;
            }
            if (!inBash) {
                continue;
            }
            if (current != null) {
                current.append(' ').append(line.trim());
            } else if (line.startsWith("curl ")) {
                current = new StringBuilder(line);
            } else {
                continue;
            }
            if (current.toString().endsWith("\\")) {
                current.setLength(current.length() - 1);
            } else {
                commands.add(current.toString());
                current = null;
            }
        }
        return commands;
    }

    @Test
    void everyCommandOfTheOperationsRunbookWorks() throws Exception {
        String operator = SecurityIT.createKey("{\"name\":\"runbook-operator\",\"role\":\"operator\"}").getString("secret");
        List<String> all = commands(Files.readAllLines(REPOSITORY.resolve("docs/operations.md"), StandardCharsets.UTF_8));
        List<String> failures = new ArrayList<>();
        int ran = 0;
        for (String command : all) {
            if (command.matches(".*#\\s*(destructive|long-running)\\s*$")) {
                continue;
            }
            String runnable = command.replace("localhost:8080", "127.0.0.1:" + System.getProperty("seraphim.it.port"))
                    .replace("localhost:8443", "127.0.0.1:" + System.getProperty("seraphim.it.https.port"))
                    .replaceFirst("^curl ", "curl --fail-with-body -sS ");
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -o pipefail; " + runnable).directory(REPOSITORY.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("K", Seraphim.ADMIN_KEY);
            pb.environment().put("OP", operator);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                failures.add(command + "\n  → did not finish in 60 s");
            } else if (p.exitValue() != 0) {
                failures.add(command + "\n  → exit " + p.exitValue() + ": " + output.substring(0, Math.min(600, output.length())));
            }
            ran++;
        }
        assertTrue(ran >= 35, "the document's commands were found and run: " + ran + " of " + all.size());
        assertEquals(List.of(), failures, "commands of docs/operations.md that failed against the server as shipped");
    }

    @Test
    void theRunbooksAliasesAnswerAsDocumented() throws Exception {
        HttpResponse<String> all = Seraphim.get("/api/v1/health/all");
        assertEquals(200, all.statusCode(), all.body());
        JsonObject whole = Seraphim.json(all.body());
        assertTrue(whole.containsKey("health") && whole.containsKey("system") && whole.containsKey("model"), all.body());
        assertTrue(List.of("healthy", "degraded").contains(whole.getJsonObject("health").getString("status")), all.body());

        HttpResponse<String> gpu = Seraphim.send(Seraphim.post("/api/system/clear_gpu_cache", ""));
        assertEquals(200, gpu.statusCode(), gpu.body());
        JsonObject cleared = Seraphim.json(gpu.body());
        assertFalse(cleared.getBoolean("cleared"), "the test server runs on the CPU: " + gpu.body());
        assertTrue(cleared.getString("message").contains("no GPU cache"), gpu.body());

        HttpResponse<String> jobs = Seraphim.get("/api/jobs/recent");
        assertEquals(200, jobs.statusCode(), jobs.body());
        assertTrue(Seraphim.json(jobs.body()).containsKey("executions"), jobs.body());

        String client = SecurityIT.createKey("{\"name\":\"runbook-client\",\"role\":\"client\"}").getString("secret");
        HttpResponse<String> predicted = Seraphim.HTTP.send(HttpRequest.newBuilder(Seraphim.uri("/v1/predict"))
                .header("Authorization", "Bearer " + client).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tabular-mlp\",\"inputs\":{\"features\":[["
                        + "0,".repeat(15) + "1]]}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, predicted.statusCode(), predicted.body());
        assertEquals(Seraphim.json(predicted.body()).getJsonObject("outputs").keySet(), java.util.Set.of("logits"), predicted.body());
        HttpResponse<String> clientLoads = Seraphim.HTTP.send(HttpRequest.newBuilder(Seraphim.uri("/v1/models/tabular-mlp/unload"))
                .header("Authorization", "Bearer " + client).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, clientLoads.statusCode(), "loading and unloading is an admin's: " + clientLoads.body());

        // /metrics over plain HTTP only redirects; /api/v1/metrics answers the same text there
        String operator = SecurityIT.createKey("{\"name\":\"runbook-metrics\",\"role\":\"operator\"}").getString("secret");
        HttpResponse<String> plain = Seraphim.HTTP.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + System.getProperty("seraphim.it.port") + "/api/v1/metrics?scope=application"))
                .header("Authorization", "Bearer " + operator).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, plain.statusCode(), plain.body());
        assertTrue(plain.body().contains("# TYPE seraphim_inference_requests_total counter"), plain.body().substring(0, Math.min(300, plain.body().length())));
        HttpResponse<String> asClient = Seraphim.HTTP.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + System.getProperty("seraphim.it.port") + "/api/metrics"))
                .header("Authorization", "Bearer " + client).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, asClient.statusCode(), "a client key reads no metrics: " + asClient.body());

        HttpResponse<String> description = Seraphim.get("/api-description");
        assertEquals(200, description.statusCode(), description.body());
        JsonObject openapi = Seraphim.json(description.body());
        assertTrue(openapi.getString("openapi").startsWith("3."), "an OpenAPI document");
        assertTrue(openapi.getJsonObject("paths").containsKey("/predictions/{model}"), "TorchServe's paths are in it");
        HttpResponse<String> options = Seraphim.send(Seraphim.request("/").method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, options.statusCode(), options.body());
        assertEquals(openapi.getJsonObject("paths").keySet(), Seraphim.json(options.body()).getJsonObject("paths").keySet());
    }
}
