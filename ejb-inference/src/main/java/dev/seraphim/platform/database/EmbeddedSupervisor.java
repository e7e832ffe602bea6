package dev.seraphim.platform.database;

import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the embedded PostgreSQL and starts it again when its postmaster is gone (killed, crashed, stopped by
 * hand) for longer than the configured wait: without this it stayed down until an operator started it, while
 * inference went on and the audit buffered. Retries back off from {@link #INTERVAL_SECONDS} to {@link #MAX_BACKOFF_SECONDS}; each restart is
 * logged and counted in seraphim_database_embedded_restarts_total.
 */
final class EmbeddedSupervisor {
    private static final Logger LOG = Logger.getLogger(EmbeddedSupervisor.class.getName());
    static final long INTERVAL_SECONDS = 5;
    static final long MAX_BACKOFF_SECONDS = 60;

    private final EmbeddedPostgres postgres;
    private final Counter restarts;
    private final Counter failures;
    private final long restartAfterNanos;
    private int failedAttempts;
    private long nextAttempt;
    private long downSince;

    /** {@code restartAfterSeconds}: how long the postmaster must stay gone before it is started again. */
    EmbeddedSupervisor(EmbeddedPostgres postgres, MetricRegistry metrics, long restartAfterSeconds) {
        this.postgres = postgres;
        this.restartAfterNanos = restartAfterSeconds * 1_000_000_000L;
        this.restarts = metrics.counter(Metadata.builder().withName("seraphim_database_embedded_restarts")
                .withDescription("Times the embedded PostgreSQL was found down and started again").build());
        this.failures = metrics.counter(Metadata.builder().withName("seraphim_database_embedded_restart_failures")
                .withDescription("Attempts to start the embedded PostgreSQL again that failed (retried with back-off)").build());
    }

    synchronized void check() {
        try {
            if (postgres.running()) {
                failedAttempts = 0;
                downSince = 0;
                return;
            }
            long now = System.nanoTime();
            if (downSince == 0) {
                downSince = now;
                LOG.warning("the embedded PostgreSQL is not running; it is started again in " + restartAfterNanos / 1_000_000_000L
                        + " s unless it comes back (seraphim.db.embedded.restart.after.seconds)");
            }
            if (now - downSince < restartAfterNanos || failedAttempts > 0 && now < nextAttempt) {
                return;
            }
            LOG.warning("the embedded PostgreSQL is not running (its postmaster is gone); starting it again"
                    + (failedAttempts > 0 ? " (attempt " + (failedAttempts + 1) + ")" : ""));
            postgres.start();
            restarts.inc();
            failedAttempts = 0;
            downSince = 0;
            LOG.info("the embedded PostgreSQL runs again; buffered audit records are written at the next flush");
        } catch (Exception e) {
            failures.inc();
            failedAttempts++;
            long backoff = Math.min(MAX_BACKOFF_SECONDS, INTERVAL_SECONDS << Math.min(failedAttempts, 4));
            nextAttempt = System.nanoTime() + backoff * 1_000_000_000L;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.WARNING, "could not start the embedded PostgreSQL again; next attempt in " + backoff + " s: " + e.getMessage());
        }
    }
}
