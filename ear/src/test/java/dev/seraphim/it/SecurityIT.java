package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API keys, roles, the model allow-list, rotation, revocation, expiry and rate limits, against the real server. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecurityIT {
    private static final String TABULAR = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":["
            + "0.1,".repeat(15) + "0.1]}]}";
    private static final Set<String> PUBLIC = Set.of("/health", "/v2/health/live", "/v2/health/ready", "/ping");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    static JsonObject createKey(String body) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/api/v1/keys", body));
        assertEquals(201, r.statusCode(), r.body());
        JsonObject key = Seraphim.json(r.body());
        assertTrue(key.getString("secret").startsWith("sk_" + key.getString("id") + "_"), r.body());
        return key;
    }

    static HttpResponse<String> infer(String model, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(Seraphim.uri("/v2/models/" + model + "/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(TABULAR));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return Seraphim.send(b.build());
    }

    @Test
    void keyLifecycleCreateUseRotateGraceRevoke() throws Exception {
        JsonObject key = createKey("{\"name\":\"lifecycle\",\"role\":\"client\"}");
        String id = key.getString("id");
        String first = key.getString("secret");
        assertEquals(200, infer("tabular-mlp", first).statusCode());

        String listed = Seraphim.get("/api/v1/keys").body();
        assertTrue(listed.contains(id), listed);
        assertFalse(listed.contains(first) || listed.contains("secret"), "no secret and no hash in the list: " + listed);

        HttpResponse<String> rotated = Seraphim.send(Seraphim.post("/api/v1/keys/" + id + "/rotate", "{\"grace_seconds\":3}"));
        assertEquals(200, rotated.statusCode(), rotated.body());
        String second = Seraphim.json(rotated.body()).getString("secret");
        assertNotEquals(first, second);
        assertEquals(200, infer("tabular-mlp", first).statusCode(), "the old secret works during the grace period");
        assertEquals(200, infer("tabular-mlp", second).statusCode(), "the new secret works at once");
        Thread.sleep(3500);
        HttpResponse<String> old = infer("tabular-mlp", first);
        assertEquals(401, old.statusCode(), "the old secret is refused once the grace is over");
        assertTrue(Seraphim.json(old.body()).getString("error").contains("not valid"), old.body());
        assertEquals(200, infer("tabular-mlp", second).statusCode());

        HttpResponse<String> revoked = Seraphim.send(Seraphim.request("/api/v1/keys/" + id).DELETE().build());
        assertEquals(204, revoked.statusCode(), revoked.body());
        assertEquals(401, infer("tabular-mlp", second).statusCode(), "a revoked key is refused");
        assertEquals(401, Seraphim.get("/v2/models/tabular-mlp", second).statusCode(), "everywhere");
        assertEquals("revoked", Seraphim.json(Seraphim.get("/api/v1/keys/" + id).body()).getString("status"));

        // the access audit is written behind the answer
        String audit = "";
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!audit.contains("\"key_id\":\"" + id + "\"") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            audit = Seraphim.get("/api/v1/keys/access-audit?key=" + id + "&event=authentication_failed").body();
        }
        assertTrue(audit.contains("\"key_id\":\"" + id + "\""), "failures are audited with the key id: " + audit);
        assertFalse(audit.contains(first) || audit.contains(second), "never the secret");
    }

    @Test
    void anExpiredKeyIsRefused() throws Exception {
        JsonObject key = createKey("{\"name\":\"short-lived\",\"role\":\"client\",\"expires_at\":\"" + Instant.now().plusSeconds(5) + "\"}");
        assertEquals(200, infer("tabular-mlp", key.getString("secret")).statusCode());
        Thread.sleep(5500);
        assertEquals(401, infer("tabular-mlp", key.getString("secret")).statusCode());
    }

    @Test
    void rolesAndTheModelAllowList() throws Exception {
        String client = createKey("{\"name\":\"only-tabular\",\"role\":\"client\",\"models\":[\"tabular-mlp\"]}").getString("secret");
        String operator = createKey("{\"name\":\"ops\",\"role\":\"operator\"}").getString("secret");
        assertEquals(200, infer("tabular-mlp", client).statusCode());
        HttpResponse<String> other = infer("tiny-cnn", client);
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(Seraphim.json(other.body()).getString("error").contains("may not use model tiny-cnn"), other.body());
        HttpResponse<String> manage = Seraphim.get("/api/v1/models", client);
        assertEquals(403, manage.statusCode(), manage.body());
        assertTrue(manage.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), manage.body());
        assertEquals(403, infer("tabular-mlp", operator).statusCode(), "an operator does not run inference");
        assertEquals(200, Seraphim.get("/api/v1/models", operator).statusCode());
        assertEquals(403, Seraphim.get("/api/v1/keys", operator).statusCode(), "only admins manage keys");
        HttpResponse<String> none = Seraphim.get("/api/v1/models", null);
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), none.headers().toString());
        assertEquals(401, Seraphim.get("/api/v1/models", "sk_nosuchkey_" + "x".repeat(43)).statusCode());
        assertEquals(200, Seraphim.get("/health/ready", null).statusCode(), "probes are public");
    }

    @Test
    void theRateLimitAnswers429AfterTheBurst() throws Exception {
        String key = createKey("{\"name\":\"slow\",\"role\":\"client\",\"rate_per_second\":0.5,\"burst\":3}").getString("secret");
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(infer("tabular-mlp", key));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, answers.get(i).statusCode(), answers.get(i).body());
            assertEquals("3", answers.get(i).headers().firstValue("RateLimit-Limit").orElse(""));
        }
        HttpResponse<String> limited = answers.get(3);
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(Integer.parseInt(limited.headers().firstValue("Retry-After").orElse("0")) >= 1, limited.headers().toString());
        assertEquals("0", limited.headers().firstValue("RateLimit-Remaining").orElse(""));
        assertTrue(Seraphim.json(limited.body()).getString("error").contains("rate limit"), limited.body());
    }

    /**
     * Every route of the served OpenAPI document: 401 without a key, 403 with a role web.xml does not allow,
     * neither with one it allows; the probes answer without a key. Mutating calls use names that do not exist.
     */
    @Test
    void everyRouteOfTheOpenApiDocumentIsGuardedExactlyAsDeclared() throws Exception {
        Map<String, String> keys = Map.of(
                "client", createKey("{\"name\":\"sweep-client\",\"role\":\"client\",\"rate_per_second\":10000,\"burst\":10000}").getString("secret"),
                "operator", createKey("{\"name\":\"sweep-operator\",\"role\":\"operator\",\"rate_per_second\":10000,\"burst\":10000}").getString("secret"),
                "admin", Seraphim.ADMIN_KEY);
        // the document itself needs a key (of any role), like everything but the probes
        assertEquals(401, Seraphim.HTTP.send(HttpRequest.newBuilder(Seraphim.uri("/openapi")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> doc = Seraphim.HTTP.send(HttpRequest.newBuilder(Seraphim.uri("/openapi")).header("X-API-Key", keys.get("client"))
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, doc.statusCode());
        JsonObject paths = Json.createReader(new StringReader(doc.body())).readObject().getJsonObject("paths");
        assertTrue(paths.size() >= 20, "the document lists the API: " + paths.keySet());
        int checked = 0;
        for (String template : paths.keySet()) {
            String path = template.replaceAll("\\{[^}]+}", "sweep-none-" + UUID.randomUUID().toString().substring(0, 6));
            for (String method : paths.getJsonObject(template).keySet()) {
                String m = method.toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(m)) {
                    continue;
                }
                checked++;
                int anonymous = call(m, path, null);
                if (PUBLIC.contains(template) || template.startsWith("/health")) {
                    assertNotEquals(401, anonymous, m + " " + template + " is a public probe");
                    continue;
                }
                assertEquals(401, anonymous, m + " " + template + " without a key");
                assertEquals(401, call(m, path, "sk_forged_" + "A".repeat(43)), m + " " + template + " with a forged key");
                for (Map.Entry<String, String> k : keys.entrySet()) {
                    int status = call(m, path, k.getValue());
                    if (allowed(k.getKey(), m, template)) {
                        assertTrue(status != 401 && status != 403, m + " " + template + " as " + k.getKey() + " → " + status);
                    } else {
                        assertEquals(403, status, m + " " + template + " as " + k.getKey());
                    }
                    assertTrue(status < 500 || status == 503, m + " " + template + " as " + k.getKey() + " → " + status);
                }
            }
        }
        assertTrue(checked >= 30, "routes checked: " + checked);
    }

    /** The policy of docs/security.md, written out independently of web.xml. */
    static boolean allowed(String role, String method, String template) {
        if (role.equals("admin")) {
            return true;
        }
        boolean read = method.equals("GET");
        if (template.startsWith("/api/v1/keys")) {
            return false;
        }
        if (template.startsWith("/api/v1/models") || template.startsWith("/api/v1/audit") || template.startsWith("/api/v1/health")
                || template.startsWith("/api/v1/jobs") || template.startsWith("/api/v1/drift") || template.startsWith("/models")
                || template.startsWith("/api/jobs") || template.startsWith("/api/system") || template.equals("/api/v1/metrics")
                || template.equals("/api/metrics")) {
            return role.equals("operator");
        }
        if (template.equals("/api/v1/predict") || template.equals("/v1/predict") || template.equals("/api/v1/feedback")
                || template.startsWith("/predictions")) {
            return role.equals("client");
        }
        if (template.equals("/api-description")) {
            return read;
        }
        if (template.startsWith("/v1/models/") && (template.endsWith("/load") || template.endsWith("/unload"))) {
            return false;  // the runbooks' load and unload: admin keys only
        }
        if (template.startsWith("/v2/models") || template.startsWith("/v1/models")) {
            return read || role.equals("client");
        }
        if (template.equals("/v2")) {
            return true;
        }
        return false;
    }

    private static int call(String method, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(Seraphim.uri(path)).header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{}");
        b.method(method, method.equals("GET") || method.equals("DELETE") ? HttpRequest.BodyPublishers.noBody() : body);
        return Seraphim.send(b.build()).statusCode();
    }
}
