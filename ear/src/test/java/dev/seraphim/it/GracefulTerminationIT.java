package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (issue 37, item 3): a replica under load goes not-ready at once, answers every request it accepts for its
 * drain delay and while it stops (none refused with an error status, none cut off), and exits within the timeout.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GracefulTerminationIT {
    private static final int DRAIN_SECONDS = 4;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void sigtermDrainsBeforeItStops() throws Exception {
        Seraphim.awaitReady();
        Replica replica = new Replica("seraphim-term", 19171);
        replica.create();
        try {
            replica.start(Map.of("SERAPHIM_SHUTDOWN_DRAIN_SECONDS", Integer.toString(DRAIN_SECONDS),
                    "SERAPHIM_SHUTDOWN_TIMEOUT_SECONDS", "60"));
            replica.awaitReady(Duration.ofSeconds(240));
            String body = Golden.load("tabular-mlp").cases().get(0).oipBody();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong answered = new AtomicLong();
            AtomicLong answeredWhileNotReady = new AtomicLong();
            AtomicBoolean notReady = new AtomicBoolean();
            Map<String, Long> failures = new ConcurrentHashMap<>();
            // requests sent before the drain delay ends must all be answered; after it a balancer sends nothing more
            AtomicLong drainEnds = new AtomicLong(Long.MAX_VALUE);
            List<Thread> load = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        long sent = System.nanoTime();
                        boolean mustAnswer = sent < drainEnds.get();
                        try {
                            HttpResponse<String> r = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port
                                            + "/v2/models/" + (answered.get() % 2 == 0 ? "tabular-mlp" : "tabular-mlp-delayed") + "/infer"))
                                    .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString(body.replace("tabular-mlp-0", "t"))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                answered.incrementAndGet();
                                if (notReady.get()) {
                                    answeredWhileNotReady.incrementAndGet();
                                }
                            } else if (mustAnswer) {
                                failures.merge("status " + r.statusCode(), 1L, Long::sum);
                            }
                        } catch (IOException | InterruptedException e) {
                            if (mustAnswer) {
                                failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1L, Long::sum);
                            }
                            sleep(20);
                        }
                    }
                });
                t.start();
                load.add(t);
            }
            Thread.sleep(1000);
            long signalled = System.nanoTime();
            drainEnds.set(signalled + TimeUnit.MILLISECONDS.toNanos(DRAIN_SECONDS * 1000L - 500));
            ProcessHandle jvm = replica.terminate();
            while (replica.ready() && System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(3)) {
                Thread.sleep(50);
            }
            long downAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            notReady.set(true);
            assertTrue(downAfter < 1500, "readiness went DOWN " + downAfter + " ms after SIGTERM");
            assertTrue(jvm.onExit().get(90, TimeUnit.SECONDS) != null);
            long exitedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            stop.set(true);
            for (Thread t : load) {
                t.join(40_000);
            }
            assertEquals(Map.of(), failures, "every request sent before the drain delay ended was answered");
            assertTrue(answeredWhileNotReady.get() > 0, "requests were still answered during the drain delay");
            assertTrue(exitedAfter >= DRAIN_SECONDS * 1000L, "the replica stopped only after its drain delay: " + exitedAfter + " ms");
            Path log = Path.of(System.getProperty("wlp.home"), "usr/servers/seraphim-term/logs/messages.log");
            String text = Files.readString(log);
            assertTrue(text.contains("SIGTERM: readiness is DOWN") && text.contains("SIGTERM: drain delay over"), "the drain is logged");
            System.out.printf("SIGTERM: readiness DOWN after %d ms, %d answered in all, %d while not ready, exit after %d ms%n",
                    downAfter, answered.get(), answeredWhileNotReady.get(), exitedAfter);
        } finally {
            try {
                replica.stop();
            } catch (Exception ignored) {
                // already stopped
            }
            replica.delete();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
