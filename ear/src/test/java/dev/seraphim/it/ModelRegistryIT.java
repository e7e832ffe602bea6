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
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model lifecycle through /api/v1/models on the real registry, libtorch and PostgreSQL. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ModelRegistryIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void registerLoadInferSwitchRollBackUnloadDelete() throws Exception {
        String name = Registrations.unique("mlp");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        HttpResponse<String> v1 = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE
                + ",\"labels\":{\"team\":\"risk\"},\"metrics\":{\"accuracy\":0.91}}", "tabular-mlp.pt", pt);
        assertEquals(201, v1.statusCode(), v1.body());
        JsonObject first = Seraphim.json(v1.body());
        assertEquals("1", first.getString("version"));
        assertEquals("READY", first.getString("state"));
        assertTrue(first.getBoolean("default"), "the first loaded version becomes the default");
        assertEquals(0.91, first.getJsonObject("metrics").getJsonNumber("accuracy").doubleValue(), 1e-9);
        assertEquals(64, first.getJsonObject("artifact").getString("sha256").length());

        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(1);
        assertGolden(name, golden, c, "1");

        HttpResponse<String> v2 = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}",
                "tabular-mlp.pt", pt);
        assertEquals(201, v2.statusCode(), v2.body());
        assertEquals("2", Seraphim.json(v2.body()).getString("version"));
        assertFalse(Seraphim.json(v2.body()).getBoolean("default"), "a new version loads beside the default");

        HttpResponse<String> switched = Registrations.call("PUT", "/api/v1/models/" + name + "/default", "{\"version\":\"2\"}");
        assertEquals(200, switched.statusCode(), switched.body());
        assertEquals("2", Seraphim.json(switched.body()).getString("default_version"));
        assertGolden(name, golden, c, "2");

        HttpResponse<String> rolledBack = Registrations.call("POST", "/api/v1/models/" + name + "/rollback", null);
        assertEquals(200, rolledBack.statusCode(), rolledBack.body());
        assertEquals("1", Seraphim.json(rolledBack.body()).getString("default_version"));
        assertGolden(name, golden, c, "1");

        HttpResponse<String> patched = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/2",
                "{\"batching\":{\"max_batch_size\":4,\"max_batch_delay_ms\":2}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(4, Seraphim.json(patched.body()).getJsonObject("batching").getInt("max_batch_size"));

        HttpResponse<String> unloaded = Registrations.call("POST", "/api/v1/models/" + name + "/versions/2/unload", null);
        assertEquals(200, unloaded.statusCode(), unloaded.body());
        assertEquals("UNLOADED", Seraphim.json(unloaded.body()).getString("state"));
        assertEquals(503, Seraphim.send(Seraphim.post("/v2/models/" + name + "/versions/2/infer", c.oipBody())).statusCode(),
                "a registered version that is not loaded is not ready");

        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/2", null).statusCode());
        assertEquals(404, Seraphim.get("/api/v1/models/" + name + "/versions/2").statusCode());

        HttpResponse<String> refused = Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1", null);
        assertEquals(409, refused.statusCode(), "the default version is not deleted without force: " + refused.body());
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
        assertEquals(404, Seraphim.get("/api/v1/models/" + name).statusCode());

        String audit = Seraphim.get("/api/v1/audit/management?model=" + name).body();
        for (String action : new String[]{"register", "load", "set-default", "rollback", "update", "unload", "delete"}) {
            assertTrue(audit.contains("\"action\":\"" + action + "\""), action + " is audited: " + audit);
        }
        assertTrue(audit.contains("\"outcome\":\"FAILURE\""), "the refused delete is audited too");
    }

    @Test
    void eachVersionHasItsOwnIntraOpThreadsChangedLive() throws Exception {
        String name = Registrations.unique("threads");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        HttpResponse<String> one = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE
                + ",\"intra_op_threads\":1}", "tabular-mlp.pt", pt);
        assertEquals(201, one.statusCode(), one.body());
        assertEquals(1, Seraphim.json(one.body()).getInt("intra_op_threads"));
        HttpResponse<String> unset = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}",
                "tabular-mlp.pt", pt);
        assertEquals(201, unset.statusCode(), unset.body());
        assertEquals(Runtime.getRuntime().availableProcessors(), Seraphim.json(unset.body()).getInt("intra_op_threads"),
                "without a setting a version gets the server's seraphim.inference.threads (0: one per core)");

        Golden golden = Golden.load("tabular-mlp");
        try {
            // both versions answer alike while the request threads switch between their counts (that each forward
            // runs with its own count is LoadedModelThreadsTest's: the golden outputs are the same at any count)
            for (int round = 0; round < 3; round++) {
                for (Golden.Case c : golden.cases()) {
                    assertGoldenVersion(name, golden, c, "1");
                    assertGoldenVersion(name, golden, c, "2");
                }
            }
            HttpResponse<String> patched = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/1",
                    "{\"intra_op_threads\":3}");
            assertEquals(200, patched.statusCode(), patched.body());
            assertEquals(3, Seraphim.json(patched.body()).getInt("intra_op_threads"));
            assertEquals(3, Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/1").body()).getInt("intra_op_threads"));
            assertGoldenVersion(name, golden, golden.cases().get(0), "1");

            HttpResponse<String> refused = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/1",
                    "{\"intra_op_threads\":0}");
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertTrue(Seraphim.json(refused.body()).getString("detail").contains("between 1 and 1024"), refused.body());
            assertEquals(3, Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/1").body()).getInt("intra_op_threads"),
                    "a refused change leaves the setting as it was");
            HttpResponse<String> halfBad = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/1",
                    "{\"intra_op_threads\":1,\"batching\":{\"max_batch_size\":0}}");
            assertEquals(400, halfBad.statusCode(), halfBad.body());
            assertTrue(Seraphim.json(halfBad.body()).getString("detail").contains("max_batch_size"), halfBad.body());
            JsonObject unchanged = Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/1").body());
            assertEquals(3, unchanged.getInt("intra_op_threads"), "nothing of a refused change is stored: " + unchanged);
            assertEquals(32, unchanged.getJsonObject("batching").getInt("max_batch_size"), unchanged.toString());
            HttpResponse<String> wrapped = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/1",
                    "{\"intra_op_threads\":4294967297}");
            assertEquals(400, wrapped.statusCode(), "2^32 + 1 is not read as 1: " + wrapped.body());

            HttpResponse<String> backToDefault = Registrations.call("PATCH", "/api/v1/models/" + name + "/versions/1",
                    "{\"intra_op_threads\":null}");
            assertEquals(200, backToDefault.statusCode(), backToDefault.body());
            assertEquals(Runtime.getRuntime().availableProcessors(), Seraphim.json(backToDefault.body()).getInt("intra_op_threads"),
                    "null gives the version back to the server's default");
            assertGoldenVersion(name, golden, golden.cases().get(0), "1");

            HttpResponse<String> badRegistration = Registrations.register("{\"name\":\"" + name + "\","
                    + Registrations.MLP_SIGNATURE + ",\"intra_op_threads\":\"two\"}", "tabular-mlp.pt", pt);
            assertEquals(400, badRegistration.statusCode(), badRegistration.body());
            assertTrue(Seraphim.json(badRegistration.body()).getString("detail").contains("'intra_op_threads' must be an integer"),
                    badRegistration.body());
        } finally {
            forceDelete(name, "2", "1");
        }
    }

    @Test
    void switchingTheDefaultUnderLoadFailsNoRequest() throws Exception {
        String name = Registrations.unique("switch");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt).statusCode());
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt).statusCode());
        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(0);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread[] clients = new Thread[4];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + name + "/infer", c.oipBody()));
                        if (r.statusCode() == 200) {
                            golden.assertClose(c, Golden.flatten(Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0)
                                    .getJsonArray("data")), "during a switch");
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception | AssertionError e) {
                        failed.incrementAndGet();
                    }
                }
            });
            clients[t].start();
        }
        for (int i = 0; i < 6; i++) {
            Thread.sleep(150);
            String path = i % 2 == 0 ? "/default" : "/rollback";
            HttpResponse<String> r = i % 2 == 0
                    ? Registrations.call("PUT", "/api/v1/models/" + name + path, "{\"version\":\"2\"}")
                    : Registrations.call("POST", "/api/v1/models/" + name + path, null);
            assertEquals(200, r.statusCode(), r.body());
        }
        Thread.sleep(150);
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }
        forceDelete(name, "1", "2");
        assertTrue(ok.get() > 20, "requests were served during the switches: " + ok.get());
        assertEquals(0, failed.get(), "no request failed while the default switched " + 6 + " times (" + ok.get() + " served)");
    }

    @Test
    void badRegistrationsAreRefusedAndLeaveNothingBehind() throws Exception {
        assertEquals(404, Seraphim.get("/api/v1/models/no-such-model").statusCode());
        assertEquals(404, Seraphim.get("/api/v1/models/tabular-mlp/versions/99").statusCode());

        String name = Registrations.unique("bad");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\",\"version\":\"1\"," + Registrations.MLP_SIGNATURE
                + ",\"load\":false}", "m.pt", pt).statusCode());
        HttpResponse<String> again = Registrations.register("{\"name\":\"" + name + "\",\"version\":\"1\"," + Registrations.MLP_SIGNATURE
                + "}", "m.pt", pt);
        assertEquals(409, again.statusCode(), again.body());

        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        assertRefused(Registrations.unique("noise"), noise, 400, "not a TorchScript model");
        byte[] corruptZip = new byte[2048];
        System.arraycopy(new byte[]{'P', 'K', 3, 4}, 0, corruptZip, 0, 4);
        assertRefused(Registrations.unique("corrupt"), corruptZip, 400, "not a TorchScript model");
        assertRefused(Registrations.unique("escape"), Registrations.mar("../evil.pt", "../evil.pt", pt), 400, "escapes its root");
        assertRefused(Registrations.unique("big"), new byte[5 * 1024 * 1024], 413, "upload limit");

        HttpResponse<String> noSignature = Registrations.register("{\"name\":\"" + Registrations.unique("nosig") + "\"}", "m.pt", pt);
        assertEquals(400, noSignature.statusCode(), noSignature.body());
        assertTrue(noSignature.body().contains("inputs"), noSignature.body());
        forceDelete(name, "1");
    }

    @Test
    void aDamagedFileFailsToLoadWhileTheDefaultKeepsServing() throws Exception {
        String name = Registrations.unique("damaged");
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt).statusCode());
        assertEquals(201, Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + ",\"load\":false}",
                "m.pt", pt).statusCode());
        Path file = Path.of(System.getProperty("seraphim.it.registry")).resolve(name).resolve("2").resolve("model.pt");
        Files.write(file, Registrations.demoModel("text-classifier.pt"));
        HttpResponse<String> load = Registrations.call("POST", "/api/v1/models/" + name + "/versions/2/load", null);
        assertEquals(422, load.statusCode(), load.body());
        assertTrue(Seraphim.json(load.body()).getString("detail").contains("sha256"), load.body());
        JsonObject v2 = Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/2").body());
        assertEquals("FAILED", v2.getString("state"));
        assertTrue(v2.getString("last_error").contains("sha256"), v2.toString());
        assertGolden(name, Golden.load("tabular-mlp"), Golden.load("tabular-mlp").cases().get(0), "1");

        HttpResponse<String> archived = Registrations.call("POST", "/api/v1/models/" + name + "/archive?older_than=0m", null);
        assertEquals(200, archived.statusCode(), archived.body());
        assertEquals("[\"2\"]", Seraphim.json(archived.body()).getJsonArray("archived").toString(), "only the unloaded, non-default version");
        assertEquals("ARCHIVED", Seraphim.json(Seraphim.get("/api/v1/models/" + name + "/versions/2").body()).getString("state"));
        forceDelete(name, "1", "2");
    }

    @Test
    void aTorchServeArchiveIsRegisteredFromItsManifest() throws Exception {
        byte[] mar = Registrations.mar("model.pt", "model.pt", Registrations.demoModel("tabular-mlp.pt"));
        String name = Registrations.unique("mar");
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.mar", mar);
        assertEquals(201, r.statusCode(), r.body());
        assertGolden(name, Golden.load("tabular-mlp"), Golden.load("tabular-mlp").cases().get(0), "1");
        forceDelete(name, "1");
    }

    private static void forceDelete(String name, String... versions) throws Exception {
        for (String v : versions) {
            assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/" + v + "?force=true", null).statusCode());
        }
    }

    /**
     * A residual add after a convolution: optimize_for_inference makes it a sum of two MKLDNN tensors, whose oneDNN
     * primitive divides by zero (SIGFPE, the server process gone) on a CPU whose CPUID hides its caches, as the
     * benchmark's machine of 2026-12-04 does. There the engine freezes that model only; elsewhere it is fully optimized.
     */
    @Test
    void aResidualModelIsPreparedForThisCpuAndAnswers() throws Exception {
        String name = Registrations.unique("residual");
        byte[] pt = Files.readAllBytes(Path.of(System.getProperty("seraphim.it.test.models"), "residual-cnn.pt"));
        HttpResponse<String> created = Registrations.register("{\"name\":\"" + name + "\",\"inputs\":[{\"name\":\"image\","
                + "\"datatype\":\"FP32\",\"shape\":[-1,3,16,16]}],\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\","
                + "\"shape\":[-1,4]}]}", "residual-cnn.pt", pt);
        assertEquals(201, created.statusCode(), created.body());

        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 2 * 3 * 16 * 16; i++) {
            data.append(i == 0 ? "" : ",").append((i % 17) / 17.0f);
        }
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + name + "/infer", "{\"inputs\":[{\"name\":\"image\","
                + "\"datatype\":\"FP32\",\"shape\":[2,3,16,16],\"data\":[" + data + "]}]}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonObject logits = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0);
        assertEquals("[2,4]", logits.getJsonArray("shape").toString());
        assertEquals(8, Golden.flatten(logits.getJsonArray("data")).length);

        JsonObject loaded = Seraphim.json(Seraphim.get("/api/v1/health/model").body()).getJsonArray("loaded")
                .getValuesAs(JsonObject.class).stream().filter(m -> m.getString("name").equals(name)).findFirst().orElseThrow();
        String preparation = loaded.getString("preparation");
        if (Files.isDirectory(Path.of("/sys/devices/system/cpu/cpu0/cache"))) {
            assertEquals("optimize_for_inference", preparation);
        } else {
            assertTrue(preparation.startsWith("freeze: its optimized graph adds or multiplies MKLDNN tensors"), preparation);
        }
        assertTrue(loaded.getBoolean("optimized"), "the prepared module answered the sample input as the loaded one");
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
    }

    private static void assertRefused(String name, byte[] file, int status, String reason) throws Exception {
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", file);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(Seraphim.json(r.body()).getString("detail").contains(reason), r.body());
        assertEquals(404, Seraphim.get("/api/v1/models/" + name).statusCode(), "nothing registered for " + name);
        Path store = Path.of(System.getProperty("seraphim.it.registry"));
        assertFalse(Files.exists(store.resolve(name)), "nothing stored for " + name);
        try (var staging = Files.list(store.resolve(".staging"))) {
            assertEquals(0, staging.count(), "no upload left in staging");
        }
    }

    private static void assertGoldenVersion(String name, Golden golden, Golden.Case c, String version) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + name + "/versions/" + version + "/infer", c.oipBody()));
        assertEquals(200, r.statusCode(), r.body());
        golden.assertClose(c, Golden.flatten(Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data")),
                name + " version " + version);
    }

    private static void assertGolden(String name, Golden golden, Golden.Case c, String expectedVersion) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + name + "/infer", c.oipBody()));
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = Seraphim.json(r.body());
        assertEquals(expectedVersion, body.getString("model_version"));
        golden.assertClose(c, Golden.flatten(body.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")), name);
    }
}
