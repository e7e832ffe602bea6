package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scale-out drill of docs/scale-out.md in its CI form: three Seraphim replicas (the build's Liberty, a directory and
 * ports each, the test server's PostgreSQL and registry store) behind Debian's HAProxy health-checking readiness, under
 * steady mixed load over the three demo models from eight client threads. A rolling upgrade of all three to the next EAR
 * (each drained at the balancer, stopped gracefully, given the EAR, started, put back) fails no request (the full drill
 * adds a rolling restart and the upgrade by SIGTERM alone); a kill -9 of one fails at most the requests
 * in flight on it, the balancer routes around it within its check interval, and it rejoins after its restart; a model
 * registered through one replica is served by all three within 5 s.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ScaleOutIT {
    private static final int BALANCER = 19090;
    private static final int THREADS = 8;  // about 25 requests a second each

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    /** Mixed inference through the balancer; every answer that is not 200 is a failure, kept with when and what. */
    static final class Load implements AutoCloseable {
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final long started = System.nanoTime();

        Load() throws Exception {
            byte[] jpeg = Files.readAllBytes(Path.of("src/test/resources/images/shapes.jpg"));
            String tabular = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":["
                    + "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}";
            String text = "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,4],\"data\":[5,17,42,7]}]}";
            for (int t = 0; t < THREADS; t++) {
                Thread thread = new Thread(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                    for (long i = 0; running.get(); i++) {
                        long t0 = System.nanoTime();
                        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY);
                        HttpRequest request = i % 10 == 9
                                ? b.uri(URI.create("http://127.0.0.1:" + BALANCER + "/predictions/tiny-cnn")).PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build()
                                : b.uri(URI.create("http://127.0.0.1:" + BALANCER + "/v2/models/" + (i % 2 == 0 ? "tabular-mlp" : "text-classifier") + "/infer"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(i % 2 == 0 ? tabular : text)).build();
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(seconds() + " s: " + r.statusCode() + " " + r.body().substring(0, Math.min(160, r.body().length())));
                            }
                        } catch (Exception e) {
                            failures.add(seconds() + " s: " + e);
                        }
                        long wait = 40 - (System.nanoTime() - t0) / 1_000_000;  // about 25 requests a second per thread
                        if (wait > 0) {
                            try {
                                Thread.sleep(wait);
                            } catch (InterruptedException stop) {
                                return;
                            }
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }

        String seconds() {
            return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9);
        }

        long answered() {
            return ok.get() + failures.size();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
    }

    @Test
    void threeReplicasBehindHaProxyRestartRollingAndSurviveAKill() throws Exception {
        java.time.Instant drillFrom = java.time.Instant.now();
        List<Replica> replicas = List.of(new Replica("seraphim-r1", 19101), new Replica("seraphim-r2", 19111), new Replica("seraphim-r3", 19121));
        try {
            for (Replica r : replicas) {
                r.create();
                r.start();
            }
            for (Replica r : replicas) {
                r.awaitReady(Duration.ofSeconds(300));
            }
            try (HaProxy balancer = HaProxy.start(BALANCER, replicas)) {
                for (Replica r : replicas) {
                    awaitStatus(balancer, r, "UP", 10);
                }
                try (Load load = new Load()) {
                    Thread.sleep(5_000);
                    long before = load.answered();
                    Thread.sleep(10_000);
                    double rate = (load.answered() - before) / 10.0;
                    System.out.println("ScaleOutIT: steady load " + rate + " requests/s over the three replicas");
                    assertEquals(List.of(), List.copyOf(load.failures), "steady load fails nothing");

                    // a model registered through one replica is served by all three within 5 s
                    String model = Registrations.unique("scaled");
                    HttpResponse<String> created = null;
                    for (int attempt = 0; attempt < 3 && (created == null || created.statusCode() == 409 && created.body().contains("retry")); attempt++) {
                        // 409 "…changed at the same time by another call; retry": the replicas' own syncs raced this change
                        created = Seraphim.send(Registrations.registration(URI.create("http://127.0.0.1:" + replicas.get(0).port + "/api/v1/models"),
                                "{\"name\":\"" + model + "\"," + Registrations.MLP_SIGNATURE + "}", "m.pt", Registrations.demoModel("tabular-mlp.pt")));
                        System.out.println("ScaleOutIT: registration through " + replicas.get(0).name + ": " + created.statusCode()
                                + (created.statusCode() == 201 ? "" : " " + created.body()));
                    }
                    assertEquals(201, created.statusCode(), created.body());
                    long registered = System.nanoTime();
                    for (Replica r : replicas) {
                        while (Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port + "/v2/models/" + model + "/ready"))
                                .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200
                                && System.nanoTime() - registered < 10_000_000_000L) {
                            Thread.sleep(100);
                        }
                    }
                    long servedMillis = (System.nanoTime() - registered) / 1_000_000;
                    System.out.println("ScaleOutIT: a model registered through " + replicas.get(0).name + " was served by all three after " + servedMillis + " ms");
                    assertTrue(servedMillis <= 5_000, "served by all three within 5 s: " + servedMillis + " ms");

                    // the rolling passes; no request may fail in any. CI's form: one pass the runbook's way (drained at the
                    // balancer, Liberty's graceful stop, the next EAR, start, ready, put back): a rolling restart and an
                    // upgrade at once. The full drill (-Dseraphim.it.drill.full=true): a rolling restart onto the same EAR,
                    // then the upgrade the way Kubernetes rolls a Deployment (SIGTERM: readiness DOWN at once, the
                    // balancer's checks take it out during the drain delay, then the orderly stop; no balancer command)
                    String current = replicas.get(0).version();
                    String next = current + "-next";
                    Path nextEar = UpgradedEar.write(Path.of(System.getProperty("seraphim.it.ear")), Path.of("target/seraphim-next.ear"), next);
                    boolean full = Boolean.getBoolean("seraphim.it.drill.full");
                    roll(balancer, replicas, load, full ? null : nextEar, false, current, full ? current : next);
                    if (full) {
                        roll(balancer, replicas, load, nextEar, true, current, next);
                    }

                    // kill -9 of one replica: at most its requests in flight fail; the balancer routes around it
                    Replica victim = replicas.get(1);
                    long killedFrom = load.answered();
                    long killedAt = System.nanoTime();
                    victim.kill9();
                    awaitStatus(balancer, victim, "DOWN", 10);
                    long downMillis = (System.nanoTime() - killedAt) / 1_000_000;
                    Thread.sleep(3_000);
                    int failedOnKill = load.failures.size();
                    System.out.println("ScaleOutIT: kill -9 of " + victim.name + ": the balancer marked it DOWN after " + downMillis + " ms; "
                            + failedOnKill + " of " + (load.answered() - killedFrom) + " requests since failed: " + load.failures);
                    assertTrue(failedOnKill <= THREADS, "only requests in flight on the killed replica may fail (at most one per client): "
                            + load.failures);
                    assertTrue(downMillis <= 6_000, "marked DOWN within its checks (2 × 500 ms, each allowed its timeout on this loaded machine): " + downMillis + " ms");
                    victim.start();
                    victim.awaitReady(Duration.ofSeconds(300));
                    awaitStatus(balancer, victim, "UP", 10);
                    long rejoinedFrom = load.answered();
                    Thread.sleep(10_000);
                    System.out.println("ScaleOutIT: " + victim.name + " rejoined; load over the three warm replicas "
                            + (load.answered() - rejoinedFrom) / 10.0 + " requests/s");
                    assertEquals(failedOnKill, load.failures.size(), "after it rejoins nothing fails");
                    assertTrue(load.answered() - rejoinedFrom > 0, "load goes on");
                }
                assertScheduleRanOncePerTime(drillFrom);
            }
        } finally {
            for (Replica r : replicas) {
                try {
                    r.stop();
                } catch (Exception ignored) {
                    // already stopped
                }
                r.delete();
            }
        }
    }

    /**
     * The heartbeat (every 5 s on the test servers) ran exactly once per scheduled time across the four servers through
     * the restarts and the kill: no time claimed twice, none missed.
     */
    private static void assertScheduleRanOncePerTime(java.time.Instant from) throws Exception {
        List<java.time.Instant> times = new ArrayList<>();
        java.util.Set<String> claimants = new java.util.TreeSet<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + System.getProperty("seraphim.it.db.port") + "/seraphim", "seraphim", "");
             java.sql.PreparedStatement s = c.prepareStatement("SELECT scheduled_for, claimed_by FROM job_schedule_run"
                     + " WHERE job = 'heartbeat' AND scheduled_for > ? AND scheduled_for <= now() - interval '3 seconds'"
                     + " ORDER BY scheduled_for")) {
            s.setTimestamp(1, java.sql.Timestamp.from(from.plusSeconds(10)));
            try (java.sql.ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    times.add(r.getTimestamp(1).toInstant());
                    claimants.add(r.getString(2));
                }
            }
        }
        System.out.println("ScaleOutIT: " + times.size() + " heartbeat times during the drill, claimed by " + claimants);
        assertTrue(times.size() >= 20, "heartbeats ran during the drill: " + times.size());
        for (int i = 1; i < times.size(); i++) {
            assertEquals(5, Duration.between(times.get(i - 1), times.get(i)).toSeconds(), "each time once, none missed: "
                    + times.get(i - 1) + " then " + times.get(i));
        }
    }

    /**
     * One rolling pass: each replica in turn taken out (by the balancer's drain and Liberty's stop, or by SIGTERM alone),
     * given {@code ear} when not null, started, ready, back in; asserts the versions before and after and that no request
     * failed.
     */
    private static void roll(HaProxy balancer, List<Replica> replicas, Load load, Path ear, boolean sigterm, String before, String after)
            throws Exception {
        long from = load.answered();
        long t0 = System.nanoTime();
        for (Replica r : replicas) {
            assertEquals(before, r.version(), r.name + " before its turn");
            if (sigterm) {
                ProcessHandle jvm = r.terminate();
                awaitStatus(balancer, r, "DOWN", 10);
                jvm.onExit().get(120, java.util.concurrent.TimeUnit.SECONDS);
            } else {
                balancer.state(r.name, "drain");
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (balancer.sessions(r.name) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                r.stop();
            }
            if (ear != null) {
                r.install(ear);
            }
            r.start();
            r.awaitReady(Duration.ofSeconds(300));
            if (!sigterm) {
                balancer.state(r.name, "ready");
            }
            awaitStatus(balancer, r, "UP", 10);
            assertEquals(after, r.version(), r.name + " after its turn");
        }
        String what = (sigterm ? "SIGTERM" : "balancer drain and graceful stop") + (ear == null ? ", the same EAR" : ", the EAR of " + after);
        System.out.println("ScaleOutIT: rolling pass (" + what + ") of three replicas in " + (System.nanoTime() - t0) / 1_000_000_000L
                + " s under load: " + (load.answered() - from) + " requests, " + load.failures.size() + " failed");
        assertEquals(List.of(), List.copyOf(load.failures), "a rolling pass (" + what + ") fails no request");
    }

    private static void awaitStatus(HaProxy balancer, Replica r, String status, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String now = balancer.status(r.name);
        while (!now.equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = balancer.status(r.name);
        }
        assertEquals(status, now, "haproxy's view of " + r.name);
    }
}
