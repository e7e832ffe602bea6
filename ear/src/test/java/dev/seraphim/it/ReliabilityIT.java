package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management plane and the HTTP edge under the inputs of the fault drills and the independent fuzzer
 * (issue 32): each request here once answered 500, 503 or 505, leaked a Java signature, or left the registry in
 * a state that broke it; each must now be a 4xx that says what to fix, with nothing stored.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReliabilityIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aRegistrationWithSettingsTheEngineCannotTakeIsRefusedWholeAndListingKeepsWorking() throws Exception {
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        for (String batching : new String[]{"{\"max_batch_size\":0}", "{\"max_batch_size\":-1}", "{\"queue_capacity\":0}",
                "{\"workers\":0}", "{\"max_batch_delay_ms\":-5}"}) {
            String name = Registrations.unique("bad-batching");
            HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE
                    + ",\"batching\":" + batching + "}", "tabular-mlp.pt", pt);
            assertEquals(400, r.statusCode(), batching + ": " + r.body());
            String field = batching.substring(2, batching.indexOf('"', 2));
            assertTrue(r.body().contains("batching." + field), "the message names the field: " + r.body());
            assertEquals(404, Seraphim.get("/api/v1/models/" + name).statusCode(), "nothing of " + name + " is kept");
        }
        assertEquals(200, Seraphim.get("/api/v1/models").statusCode());
        assertEquals(200, Seraphim.get("/models/tabular-mlp/all").statusCode());
        HttpResponse<String> patch = Registrations.call("PATCH", "/api/v1/models/tabular-mlp/versions/1",
                "{\"batching\":{\"max_batch_size\":100000000}}");
        assertEquals(400, patch.statusCode(), patch.body());
        assertTrue(patch.body().contains("batching.max_batch_size"), patch.body());
    }

    @Test
    void aDeclaredSignatureTheModuleDoesNotAnswerIsRefusedSayingWhatItDid() throws Exception {
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        String in16 = "\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,16]}]";
        String out3 = "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]";
        String[][] cases = {
                {in16.replace("16]", "8]") + "," + out3, "mat1 and mat2 shapes cannot be multiplied"},
                {in16.replace("FP32", "INT64") + "," + out3, "features INT64 [2, 16]"},
                {"\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,16]},"
                        + "{\"name\":\"extra\",\"datatype\":\"FP32\",\"shape\":[-1,16]}]," + out3, "argument"},
                {in16 + "," + out3.replace("3]", "7]"), "output 'logits' is declared FP32 [-1, 7] but the module returns FP32 [2, 3]"},
                {in16 + "," + out3.replace("FP32", "FP64"), "output 'logits' is declared FP64 [-1, 3] but the module returns FP32 [2, 3]"},
                {in16 + ",\"outputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[-1,3]},"
                        + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]", "returns 1 output(s) (FP32 [2, 3]) but 2 are declared"},
        };
        for (String[] c : cases) {
            String name = Registrations.unique("bad-signature");
            HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\"," + c[0] + "}", "tabular-mlp.pt", pt);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            assertTrue(r.body().contains(c[1]), "says what the module did (" + c[1] + "): " + r.body());
            assertNoInternals(r.body());
            assertEquals(404, Seraphim.get("/api/v1/models/" + name).statusCode(), "nothing of " + name + " is kept");
        }
        String unchecked = Registrations.unique("unchecked-signature");
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + unchecked + "\",\"signature_check\":false,\"load\":false,"
                + in16.replace("16]", "8]") + "," + out3 + "}", "tabular-mlp.pt", pt);
        assertEquals(201, r.statusCode(), "the registrant may skip the probe: " + r.body());
        String audit = Seraphim.get("/api/v1/audit/management?model=" + unchecked).body();
        assertTrue(audit.contains("signature not checked"), audit);
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + unchecked + "/versions/1?force=true", null).statusCode());
    }

    @Test
    void forceDeletingTheDefaultHandsItToAnotherLoadedVersion() throws Exception {
        String name = Registrations.unique("default-handover");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt).statusCode());
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt).statusCode());
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
        JsonObject model = Seraphim.json(Seraphim.get("/api/v1/models/" + name).body());
        assertEquals("2", model.getString("default_version"), model.toString());
        HttpResponse<String> infer = Seraphim.send(Seraphim.post("/v2/models/" + name + "/infer",
                "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + "0.5,".repeat(15) + "0.5]}]}"));
        assertEquals(200, infer.statusCode(), "unversioned requests keep an answer: " + infer.body());
        JsonObject health = Seraphim.json(Seraphim.get("/api/v1/health").body());
        assertFalse(health.getJsonObject("checks").getJsonArray("models_without_default").toString().contains(name), health.toString());
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/2?force=true", null).statusCode());
    }

    @Test
    void aMalformedChunkedBodyIsABadRequest() throws Exception {
        String answer = raw("POST /v2/models/tabular-mlp/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("chunked"), answer);
        String management = raw("PUT /api/v1/models/tabular-mlp/default HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
        assertTrue(management.startsWith("HTTP/1.1 400"), management);
    }

    @Test
    void charactersAUriMayNotHoldAreABadRequestInTheApisShape() throws Exception {
        String oip = raw("POST /v2/models/a{/b/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertTrue(oip.startsWith("HTTP/1.1 400"), oip);
        assertTrue(oip.contains("\"error\""), "OIP's error shape: " + oip);
        String jobs = raw("POST /api/v1/jobs/{}/restart HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(jobs.startsWith("HTTP/1.1 400"), jobs);
        assertTrue(jobs.contains("application/problem+json"), jobs);
        for (String path : new String[]{"/api/v1/jobs?limit={", "/api/v1/audit?limit=<", "/api/v1/drift/x?limit=|", "/models?limit={"}) {
            String r = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY + "\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 400"), path + ": " + r);
            assertNoInternals(r);
        }
    }

    @Test
    void parameterErrorsNameTheParameterAndNoJavaSignature() throws Exception {
        for (String path : new String[]{"/models?limit=abc", "/models?next_page_token=xyz", "/models/tabular-mlp?min_worker=abc"}) {
            HttpResponse<String> r = path.contains("min_worker")
                    ? Registrations.call("PUT", path, null) : Seraphim.get(path);
            assertEquals(400, r.statusCode(), path + ": " + r.body());
            String param = path.substring(path.indexOf('?') + 1, path.indexOf('='));
            assertTrue(r.body().contains("'" + param + "'"), "names " + param + ": " + r.body());
            assertNoInternals(r.body());
        }
    }

    @Test
    void deeplyNestedJsonIsABadRequestOnEveryJsonRoute() throws Exception {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        for (String[] call : new String[][]{{"PUT", "/api/v1/models/tabular-mlp/default"}, {"POST", "/api/v1/keys"},
                {"PATCH", "/api/v1/models/tabular-mlp/versions/1"}, {"POST", "/api/v1/jobs/backup"}, {"POST", "/api/v1/feedback"}}) {
            HttpResponse<String> r = Registrations.call(call[0], call[1], "{\"version\":" + deep + "}");
            assertEquals(400, r.statusCode(), call[1] + ": " + r.body());
            assertNoInternals(r.body());
        }
        HttpResponse<String> trailing = Registrations.call("POST", "/api/v1/keys", "{\"name\":\"trailing\",\"role\":\"client\"} garbage");
        assertEquals(400, trailing.statusCode(), "trailing garbage after the object: " + trailing.body());
    }

    @Test
    void torchServeRegistrationFromAnOpaqueFileUriIsABadRequest() throws Exception {
        for (String url : new String[]{"file:../../../../etc/passwd", "file:%00", "file:///etc/passwd", "../../etc/passwd"}) {
            HttpResponse<String> r = Registrations.call("POST", "/models?url=" + java.net.URLEncoder.encode(url, StandardCharsets.UTF_8)
                    + "&model_name=x", null);
            assertEquals(400, r.statusCode(), url + ": " + r.body());
            assertFalse(r.body().contains("passwd\n") || r.body().contains("root:"), r.body());
        }
    }

    @Test
    void overLongNamesAreABadRequestNotADatabaseOutage() throws Exception {
        HttpResponse<String> rollback = Registrations.call("POST", "/api/v1/models/" + "a".repeat(129) + "/rollback", null);
        assertEquals(400, rollback.statusCode(), rollback.body());
        assertFalse(rollback.body().contains("unavailable"), rollback.body());
        assertFalse(rollback.headers().firstValue("Retry-After").isPresent(), "a caller must not be told to retry");
        HttpResponse<String> load = Registrations.call("POST", "/api/v1/models/tabular-mlp/versions/" + "9".repeat(65) + "/load", null);
        assertEquals(400, load.statusCode(), load.body());
        HttpResponse<String> ts = Registrations.call("PUT", "/models/" + "b".repeat(200) + "/1/set-default", null);
        assertEquals(400, ts.statusCode(), ts.body());
    }

    @Test
    void containerErrorPagesCarryNoInternalHeader() throws Exception {
        String answer = raw("GET /ping/..%2f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
        assertFalse(answer.toLowerCase().contains("$wsep"), answer);
    }

    @Test
    void aBodyThatTricklesIsEndedWith408() throws Exception {
        // a body of 1 byte every 400 ms: ended by the minimum data rate (the test server's grace is 2 s) or, where the
        // container waits to fill its buffer, by the read timeout (5 s on the test server); 408 either way
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(System.getProperty("seraphim.it.port")))) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /api/v1/models/tabular-mlp/default HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String answer = "";
            InputStream in = s.getInputStream();
            for (int i = 0; i < 40 && answer.isEmpty(); i++) {
                try {
                    out.write(' ');
                    out.flush();
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(400);
                if (in.available() > 0) {
                    answer = new String(in.readNBytes(in.available()), StandardCharsets.ISO_8859_1);
                }
            }
            if (answer.isEmpty()) {
                answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 12, "ended soon after the grace period");
        }
    }

    /**
     * A registration upload is read as it arrives into the store's .staging: one cut short (the client goes away
     * mid-file) leaves nothing there or in the JVM's temporary directory, and the parts may come in either order.
     */
    @Test
    void anInterruptedRegistrationUploadLeavesNoFileBehind() throws Exception {
        Path staging = Path.of(System.getProperty("seraphim.it.registry"), ".staging");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> tmpBefore = listing(tmp);
        // a kill -9 in another test (TwoServersIT) may have left files of its own there: only new ones count
        java.util.Set<Path> stagedBefore = listing(staging);
        byte[] model = Registrations.demoModel("tabular-mlp.pt");
        String name = Registrations.unique("cut-upload");
        String head = "--b7\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.pt\"\r\n\r\n";
        String tail = "\r\n--b7\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"name\":\"" + name + "\","
                + Registrations.MLP_SIGNATURE + "}\r\n--b7--\r\n";
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(System.getProperty("seraphim.it.port")))) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Seraphim.ADMIN_KEY
                    + "\r\nContent-Type: multipart/form-data; boundary=b7\r\nContent-Length: " + (head.length() + model.length + tail.length())
                    + "\r\n\r\n" + head).getBytes(StandardCharsets.ISO_8859_1));
            out.write(model, 0, model.length / 2);
            out.flush();
            Thread.sleep(1_000);
            s.setSoLinger(true, 0);  // a reset, as a client that dies does
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!newIn(staging, stagedBefore).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(java.util.Set.of(), newIn(staging, stagedBefore), "nothing left in the store's .staging");
        java.util.Set<Path> tmpAfter = listing(tmp);
        tmpAfter.removeAll(tmpBefore);
        tmpAfter.removeIf(p -> !p.getFileName().toString().matches("(?i).*(mime|resteasy|upload|multipart).*"));
        assertEquals(java.util.Set.of(), tmpAfter, "no upload in the temporary directory");
        assertEquals(404, Seraphim.get("/api/v1/models/" + name).statusCode(), "nothing registered");

        // the same body whole, the file part before the metadata: registered
        HttpResponse<String> whole = Seraphim.send(Seraphim.request("/api/v1/models")
                .header("Content-Type", "multipart/form-data; boundary=b7").POST(HttpRequest.BodyPublishers.ofByteArray(
                        concat(head.getBytes(StandardCharsets.ISO_8859_1), model, tail.getBytes(StandardCharsets.ISO_8859_1)))).build());
        assertEquals(201, whole.statusCode(), whole.body());
        assertEquals(java.util.Set.of(), newIn(staging, stagedBefore), "the staged file moved into the store");
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
    }

    private static java.util.Set<Path> listing(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return new java.util.HashSet<>();
        }
        try (var files = java.nio.file.Files.list(dir)) {
            return files.collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }

    private static java.util.Set<Path> newIn(Path dir, java.util.Set<Path> before) throws java.io.IOException {
        java.util.Set<Path> now = listing(dir);
        now.removeAll(before);
        return now;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void torchServeManagementIsAuditedAsTheCallingKey() throws Exception {
        String key = SecurityIT.createKey("{\"name\":\"ts-operator\",\"role\":\"operator\"}").getString("secret");
        HttpResponse<String> scaled = Seraphim.send(HttpRequest.newBuilder(Seraphim.uri("/models/tabular-mlp/1?min_worker=1&synchronous=true"))
                .header("Authorization", "Bearer " + key).PUT(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, scaled.statusCode(), scaled.body());
        String audit = Seraphim.get("/api/v1/audit/management?model=tabular-mlp").body();
        assertFalse(audit.contains("torchserve-api"), audit);
        String keyId = key.substring(3, key.indexOf('_', 3));
        assertTrue(audit.contains("\"actor\":\"" + keyId + "\""), "actor is the key's id " + keyId + ": " + audit);
    }

    /** No Java signature, class name, stack or RESTEasy code (TorchServe's "type" names like BadRequestException are its contract). */
    private static void assertNoInternals(String body) {
        for (String leak : new String[]{"RESTEASY", "java.", "jakarta.", "dev.seraphim", "Exception:", "\tat "}) {
            assertFalse(body.contains(leak), "no " + leak + " in: " + body);
        }
    }

    /** One request written as bytes (what HttpClient refuses to send), the whole answer as text. */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(System.getProperty("seraphim.it.port")))) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
