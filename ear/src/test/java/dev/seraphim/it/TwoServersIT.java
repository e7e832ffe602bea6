package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second Liberty server (a copy of the test server, its own port, the first server's PostgreSQL and model
 * store): a change made through one server is served by the other within 5 seconds.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TwoServersIT {
    private static final int SECOND_PORT = 18081;
    private static final Path WLP = Path.of(System.getProperty("wlp.home"));
    private static final Path SECOND = WLP.resolve("usr/servers/seraphim-it2");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @BeforeAll
    static void startSecondServer() throws Exception {
        Path first = WLP.resolve("usr/servers/seraphim-it");
        deleteTree(SECOND);
        Set<String> skip = Set.of("logs", "workarea", "dropins", "apps", "tranlog");
        // the first server's work area changes while it runs: its subtree is skipped, not walked
        Files.walkFileTree(first, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                Path rel = first.relativize(dir);
                if (rel.getNameCount() > 0 && skip.contains(rel.getName(0).toString())) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(SECOND.resolve(rel.toString()));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                Files.copy(file, SECOND.resolve(first.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        Files.createDirectories(SECOND.resolve("dropins"));
        Files.copy(Path.of(System.getProperty("seraphim.it.ear")), SECOND.resolve("dropins/seraphim.ear"));
        launchSecond();
    }

    private static void launchSecond() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(WLP.resolve("bin/server").toString(), "start", "seraphim-it2").inheritIO();
        pb.environment().put("SERAPHIM_HTTP_PORT", Integer.toString(SECOND_PORT));
        pb.environment().put("SERAPHIM_HTTPS_PORT", Integer.toString(SECOND_PORT + 400));
        pb.environment().put("SERAPHIM_GRPC_PORT", Integer.toString(SECOND_PORT + 500));
        pb.environment().put("SERAPHIM_GRPC_TLS_PORT", "-1");
        // a scraper on a private network: this replica's /metrics is open (the first one's needs a key)
        pb.environment().put("SERAPHIM_METRICS_AUTHENTICATION", "false");
        pb.environment().put("SERAPHIM_DB_URL", "jdbc:postgresql://127.0.0.1:" + System.getenv("SERAPHIM_DB_EMBEDDED_PORT") + "/seraphim");
        // the first server's database is this server's external database: its own embedded one stays off
        pb.environment().put("SERAPHIM_DB_EMBEDDED_PORT", "55499");
        pb.environment().put("SERAPHIM_SERVER_NAME", "second");
        // started as the README's run command starts a server: no console password, so it makes one
        pb.environment().remove("SERAPHIM_CONSOLE_ADMIN_PASSWORD");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        assertEquals(0, pb.start().waitFor(), "the second server starts");
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (second("/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the second server did not become ready; see " + SECOND.resolve("logs"));
    }

    @AfterAll
    static void stopSecondServer() throws Exception {
        new ProcessBuilder(WLP.resolve("bin/server").toString(), "stop", "seraphim-it2").inheritIO().start().waitFor();
    }

    private static HttpResponse<String> second(String path) throws IOException, InterruptedException {
        return Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT + path)).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> secondCall(String method, String path) throws IOException, InterruptedException {
        return Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT + path)).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBackupKilledMidwayIsMarkedFailedNeverLooksCompleteAndRestartsToCompletion() throws Exception {
        Path backups = Path.of(System.getProperty("seraphim.it.backups"));
        // a table large enough that its COPY takes seconds: the server is killed while it runs
        try (java.sql.Connection c = database(); java.sql.Statement s = c.createStatement()) {
            s.execute("INSERT INTO access_audit (at, request_id, method, path, http_status, event, server_name)"
                    + " SELECT now() - interval '400 days', 'seed-' || g, 'SEED', '/seed/' || md5(g::text), 200, 'management', 'seed'"
                    + " FROM generate_series(1, 1500000) g");
        }
        try {
            HttpResponse<String> started = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT + "/api/v1/jobs/backup"))
                    .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"keep\":50}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, started.statusCode(), started.body());
            long id = Seraphim.json(started.body()).getJsonNumber("execution_id").longValue();
            long instance = Seraphim.json(started.body()).getJsonNumber("instance_id").longValue();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String step = "";
            while (!step.equals("tables") && System.nanoTime() < deadline) {
                step = Seraphim.json(second("/api/v1/jobs/" + id).body()).getString("current_step", "");
                Thread.sleep(50);
            }
            assertEquals("tables", step, "the backup is copying tables");
            ProcessHandle server = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("seraphim-it2")
                    && p.info().commandLine().orElse("").contains("ws-server")).findFirst().orElseThrow();
            server.destroyForcibly(); // SIGKILL
            server.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(Files.list(backups).noneMatch(p -> p.getFileName().toString().endsWith("-i" + instance)),
                    "the killed backup left no directory that looks complete");

            launchSecond();
            String status = "";
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!status.equals("FAILED") && System.nanoTime() < deadline) {
                status = Seraphim.json(second("/api/v1/jobs/" + id).body()).getString("status");
                Thread.sleep(250);
            }
            assertEquals("FAILED", status, "after the restart the killed execution is marked failed");

            HttpResponse<String> restarted = secondCall("POST", "/api/v1/jobs/" + id + "/restart");
            assertEquals(202, restarted.statusCode(), restarted.body());
            long again = Seraphim.json(restarted.body()).getJsonNumber("execution_id").longValue();
            deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            jakarta.json.JsonObject e = Seraphim.json(second("/api/v1/jobs/" + again).body());
            while (!e.getString("status").equals("COMPLETED") && !e.getString("status").equals("FAILED") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                e = Seraphim.json(second("/api/v1/jobs/" + again).body());
            }
            assertEquals("COMPLETED", e.getString("status"), e.toString());
            String name = e.getString("exit_status").split(" ")[0].substring("BACKUP=".length());
            assertTrue(name.endsWith("-i" + instance), "the restart completed the same backup: " + name);
            assertTrue(Files.exists(backups.resolve(name).resolve("manifest.json")));
            assertTrue(Files.list(backups).noneMatch(p -> p.getFileName().toString().endsWith("-i" + instance + ".partial")));
        } finally {
            try (java.sql.Connection c = database(); java.sql.Statement s = c.createStatement()) {
                s.execute("DELETE FROM access_audit WHERE method = 'SEED'");
            }
        }
    }

    private static java.sql.Connection database() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + System.getProperty("seraphim.it.db.port") + "/seraphim", "seraphim", "");
    }

    @Test
    void aScheduleFiresExactlyOnceAcrossTwoServers() throws Exception {
        // both servers run the heartbeat job every 5 s (SERAPHIM_JOBS_SCHEDULE_HEARTBEAT) against one database
        java.time.Instant from = java.time.Instant.now();
        Thread.sleep(26_000);
        List<java.time.Instant> times = new java.util.ArrayList<>();
        java.util.Set<Long> executions = new java.util.HashSet<>();
        java.util.Set<String> replicas = new java.util.HashSet<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + System.getProperty("seraphim.it.db.port") + "/seraphim", "seraphim", "");
             java.sql.PreparedStatement s = c.prepareStatement("SELECT scheduled_for, claimed_by, execution_id FROM job_schedule_run"
                     + " WHERE job = 'heartbeat' AND scheduled_for > ? AND scheduled_for <= now() - interval '3 seconds' AND NOT catch_up"
                     + " ORDER BY scheduled_for")) {
            s.setTimestamp(1, java.sql.Timestamp.from(from));
            try (java.sql.ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    times.add(r.getTimestamp(1).toInstant());
                    replicas.add(r.getString(2));
                    long execution = r.getLong(3);
                    assertTrue(!r.wasNull(), "the run of " + r.getTimestamp(1) + " started a job execution");
                    executions.add(execution);
                }
            }
        }
        assertTrue(times.size() >= 4, "runs in 26 s: " + times);
        for (int i = 1; i < times.size(); i++) {
            assertEquals(5, java.time.Duration.between(times.get(i - 1), times.get(i)).toSeconds(), "no time missed or doubled: " + times);
        }
        assertEquals(times.size(), executions.size(), "one execution per scheduled time");
        for (long id : executions) {
            String status = Seraphim.json(Seraphim.get("/api/v1/jobs/" + id).body()).getString("status");
            assertTrue(status.equals("COMPLETED") || status.equals("STARTED") || status.equals("STARTING"), id + " " + status);
        }
        System.out.println("schedule: " + times.size() + " runs claimed by " + replicas);
    }

    /**
     * A server started without SERAPHIM_CONSOLE_ADMIN_PASSWORD generates one into a drop-in only its owner reads,
     * says where in the log (not the secret), and the Admin Center's batch API takes it for user admin.
     */
    @Test
    void withoutAConfiguredConsolePasswordOneIsGeneratedAndAnAdminCanLogIn() throws Exception {
        Path dropIn = SECOND.resolve("configDropins/overrides/seraphim-console-admin.xml");
        assertTrue(Files.exists(dropIn), "the generated drop-in " + dropIn);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dropIn)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("value=\"([^\"]+)\"").matcher(Files.readString(dropIn));
        assertTrue(m.find(), "a password in the drop-in");
        String password = m.group(1);
        String messages = Files.readString(SECOND.resolve("logs/messages.log"));
        assertTrue(messages.contains("seraphim-console-admin.xml"), "the log says where the password is");
        assertFalse(messages.contains(password), "the log never holds the secret");
        String https = "https://127.0.0.1:" + (SECOND_PORT + 400) + "/ibm/api/batch/jobinstances";
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int status = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (status != 200 && System.nanoTime() < deadline) {  // Liberty applies the drop-in within its monitor interval
            status = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create(https)).header("Authorization", basic).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
            if (status != 200) {
                Thread.sleep(500);
            }
        }
        assertEquals(200, status, "the Admin Center's batch API takes the generated password");
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("admin:not-it".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(401, Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create(https)).header("Authorization", wrong).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void metricsCanBeOpenedForAScraperOnAPrivateNetwork() throws Exception {
        HttpResponse<String> open = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                + "/metrics?scope=application")).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, open.statusCode(), "SERAPHIM_METRICS_AUTHENTICATION=false opens /metrics: " + open.body());
        assertTrue(open.body().contains("# TYPE"), open.body());
        HttpResponse<String> guarded = Seraphim.HTTP.send(HttpRequest.newBuilder(Seraphim.uri("/metrics?scope=application"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, guarded.statusCode(), "the default server's /metrics still needs a key");
    }

    @Test
    void changesThroughOneServerReachTheOtherWithinFiveSeconds() throws Exception {
        String name = "shared-" + Long.toString(System.nanoTime(), 36);
        HttpResponse<String> registered = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}",
                "m.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, registered.statusCode(), registered.body());
        long seen = millisUntil(() -> second("/v2/models/" + name + "/ready").statusCode() == 200);
        System.out.println("TwoServersIT: the second server served the new model " + seen + " ms after it was registered");
        assertTrue(seen <= 5000, "the second server served the new model after " + seen + " ms");

        // a whole server restart: what the registry says is loaded is served again
        stopSecondServer();
        launchSecond();
        HttpResponse<String> afterRestart = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                        + "/v2/models/" + name + "/infer")).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Golden.load("tabular-mlp").cases().get(0).oipBody())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, afterRestart.statusCode(), "after a server restart: " + afterRestart.body());
        Golden.load("tabular-mlp").assertClose(Golden.load("tabular-mlp").cases().get(0), Golden.flatten(
                Seraphim.json(afterRestart.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data")), "after restart");

        HttpResponse<String> unloaded = secondCall("POST", "/api/v1/models/" + name + "/versions/1/unload");
        assertEquals(200, unloaded.statusCode(), unloaded.body());
        long gone = millisUntil(() -> Seraphim.get("/v2/models/" + name + "/versions/1/ready").statusCode() != 200);
        System.out.println("TwoServersIT: the first server unloaded " + gone + " ms after the second was asked to");
        assertTrue(gone <= 5000, "the first server unloaded after " + gone + " ms");

        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
        long deleted = millisUntil(() -> second("/api/v1/models/" + name).statusCode() == 404);
        assertTrue(deleted <= 5000);
    }

    /** A traffic policy put through one server is applied by the other within its sync interval. */
    @Test
    void aTrafficPolicyPutThroughOneServerIsAppliedByTheOther() throws Exception {
        String name = "split-" + Long.toString(System.nanoTime(), 36);
        for (int v = 1; v <= 2; v++) {
            HttpResponse<String> r = Registrations.register("{\"name\":\"" + name + "\",\"version\":\"" + v + "\"," + Registrations.MLP_SIGNATURE + "}",
                    "m.pt", Registrations.demoModel("tabular-mlp.pt"));
            assertEquals(201, r.statusCode(), r.body());
        }
        assertTrue(millisUntil(() -> second("/v2/models/" + name + "/versions/2/ready").statusCode() == 200) <= 5000);
        HttpResponse<String> put = Seraphim.send(Seraphim.request("/api/v1/models/" + name + "/traffic").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"weights\": {\"1\": 0, \"2\": 100}}")).build());
        assertEquals(200, put.statusCode(), put.body());
        long applied = millisUntil(() -> "2".equals(Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                        + "/predictions/" + name)).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]]")).build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("X-Model-Version").orElse(null)));
        System.out.println("TwoServersIT: the second server applied the traffic policy " + applied + " ms after it was put");
        assertTrue(applied <= 5000, "the second server applied the policy after " + applied + " ms");
    }

    /**
     * A rollout with two replicas: both serve its weights, traffic reaches both, and exactly one drives it: each step
     * is decided once (the management audit has each decision once) and it ends promoted.
     */
    @Test
    void aRolloutIsServedByBothServersAndDrivenOnce() throws Exception {
        String model = RolloutIT.textModel("text-classifier.pt", true);
        assertTrue(millisUntil(() -> second("/v2/models/" + model + "/versions/2/ready").statusCode() == 200) <= 5000);
        HttpResponse<String> started = RolloutIT.start(model, "{\"candidate\": \"2\", \"steps\": [50, 100], \"step_seconds\": 3,"
                + " \"guard\": {\"min_requests_per_step\": 10, \"max_p95_ratio\": 1000}}");
        assertEquals(201, started.statusCode(), started.body());
        long id = Seraphim.json(started.body()).getJsonNumber("id").longValue();
        assertTrue(millisUntil(() -> second("/api/v1/models/" + model + "/traffic").body().contains("\"2\":50")) <= 5000,
                "the second server serves the step's weights");
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Set<String> servedBySecond = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread traffic = new Thread(() -> {
            String body = "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,4],\"data\":[5,17,42,7]}]}";
            while (running.get()) {
                try {
                    HttpResponse<String> r = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                            + "/v2/models/" + model + "/infer")).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    r.headers().firstValue("X-Model-Version").ifPresent(servedBySecond::add);
                } catch (Exception e) {
                    return;
                }
            }
        });
        traffic.start();
        jakarta.json.JsonObject end;
        try {
            end = RolloutIT.driveUntilEnded(model, id, 90);
        } finally {
            running.set(false);
            traffic.join();
        }
        assertEquals("PROMOTED", end.getString("state"), end.toString());
        assertEquals(java.util.Set.of("1", "2"), servedBySecond, "the second server split its requests over both versions");
        String audit = RolloutIT.audit(model);
        assertEquals(1, audit.split("advanced to 100 %", -1).length - 1, "each step decided once: " + audit);
        assertEquals(1, audit.split("promoted after its last step passed", -1).length - 1, "promoted once: " + audit);
        assertTrue(millisUntil(() -> second("/api/v1/models/" + model).body().contains("\"default_version\":\"2\"")) <= 5000,
                "the second server has the promoted default");
    }

    /**
     * The drill of issue 32 in its CI form: registrations from four clients and inference from two run against the
     * second server, which is killed with SIGKILL while they do. After its restart every acknowledged registration
     * serves, every model the registry kept has a default or no loaded version, no version is left LOADING, health
     * names no model without a default, and inference before the kill only ever answered 200.
     */
    @Test
    void killedDuringRegistrationsAndLoadTheRegistryComesBackWhole() throws Exception {
        byte[] pt = Registrations.demoModel("tabular-mlp.pt");
        String body = Golden.load("tabular-mlp").cases().get(0).oipBody();
        URI endpoint = URI.create("http://127.0.0.1:" + SECOND_PORT + "/api/v1/models");
        java.util.Queue<String> sent = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.Queue<String> acknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> inferred = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
        for (int i = 0; i < 4; i++) {
            clients.submit(() -> {
                while (!killed.get()) {
                    String name = Registrations.unique("drill");
                    sent.add(name);
                    try {
                        HttpResponse<String> r = Seraphim.send(Registrations.registration(endpoint,
                                "{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", pt));
                        if (r.statusCode() == 201) {
                            acknowledged.add(name);
                        }
                    } catch (Exception cut) {
                        return null;
                    }
                }
                return null;
            });
        }
        for (int i = 0; i < 2; i++) {
            clients.submit(() -> {
                while (!killed.get()) {
                    try {
                        int status = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                                        + "/v2/models/tabular-mlp/infer")).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (!killed.get()) {
                            inferred.computeIfAbsent(status, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                        }
                    } catch (Exception cut) {
                        return null;
                    }
                }
                return null;
            });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (acknowledged.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(137); // off the rhythm of the registrations, so the kill lands inside one
        ProcessHandle server = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("seraphim-it2")
                && p.info().commandLine().orElse("").contains("ws-server")).findFirst().orElseThrow();
        killed.set(true);
        server.destroyForcibly();
        server.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        clients.shutdown();
        assertTrue(clients.awaitTermination(150, java.util.concurrent.TimeUnit.SECONDS));
        System.out.println("TwoServersIT drill: " + sent.size() + " registrations sent, " + acknowledged.size()
                + " acknowledged before the kill; inference before it " + inferred);
        assertTrue(acknowledged.size() >= 3, "registrations were acknowledged before the kill: " + acknowledged);
        assertEquals(Set.of(200), inferred.keySet(), "inference during registrations: " + inferred);

        launchSecond();
        Thread.sleep(6000); // one registry sync interval (5 s in the tests) after start
        try {
            for (String name : sent) {
                HttpResponse<String> model = second("/api/v1/models/" + name);
                if (model.statusCode() == 404) {
                    assertFalse(acknowledged.contains(name), "an acknowledged registration was lost: " + name);
                    continue;
                }
                assertEquals(200, model.statusCode(), model.body());
                jakarta.json.JsonObject m = Seraphim.json(model.body());
                String versions = m.toString();
                assertFalse(versions.contains("\"LOADING\""), "no version is left loading: " + versions);
                boolean ready = versions.contains("\"READY\"");
                if (acknowledged.contains(name) || ready) {
                    assertFalse(m.isNull("default_version"), "a model with a loaded version has a default: " + versions);
                    HttpResponse<String> infer = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SECOND_PORT
                                    + "/v2/models/" + name + "/infer")).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, infer.statusCode(), name + " after the restart: " + infer.body());
                }
            }
            String health = second("/api/v1/health").body();
            assertTrue(health.contains("\"models_without_default\":[]"), health);
        } finally {
            for (String name : sent) {
                for (int v = 1; v <= 2; v++) {
                    Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/" + v + "?force=true", null);
                }
            }
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static long millisUntil(Check check) throws Exception {
        long start = System.nanoTime();
        while (!check.holds()) {
            if (System.nanoTime() - start > Duration.ofSeconds(15).toNanos()) {
                return Long.MAX_VALUE;
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
