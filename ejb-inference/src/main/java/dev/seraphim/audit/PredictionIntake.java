package dev.seraphim.audit;

import dev.seraphim.platform.database.BatchedWriter;
import org.eclipse.microprofile.metrics.Counter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where the request path hands its prediction records over: a plain object that {@link PredictionAuditTrail}
 * owns, so that each hand-over is one offer to the buffer rather than a call through the EJB container (7 % of
 * the server's samples at 64 clients in a profile). Records of synchronously audited models are written at once
 * instead, and their answers wait for the commit.
 */
public final class PredictionIntake {
    private static final Logger LOG = Logger.getLogger(PredictionIntake.class.getName());

    private final BooleanSupplier enabled;
    private final BatchedWriter<PredictionRecord> writer;
    private final Counter droppedFull;
    private final ScheduledExecutorService executor;
    private final Semaphore synchronousWrites;
    private final long timeoutMillis;
    private final Counter synchronousRefused;
    private volatile long lastRefusalLogNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    PredictionIntake(BooleanSupplier enabled, BatchedWriter<PredictionRecord> writer, Counter droppedFull,
                     ScheduledExecutorService executor, AuditSettings settings, Counter synchronousRefused) {
        this.enabled = enabled;
        this.writer = writer;
        this.droppedFull = droppedFull;
        this.executor = executor;
        this.synchronousWrites = new Semaphore(settings.synchronousConcurrency());
        this.timeoutMillis = settings.synchronousTimeoutMillis();
        this.synchronousRefused = synchronousRefused;
    }

    /** Takes one record without waiting; never throws. False when the record had to be dropped (counted). */
    public boolean submit(PredictionRecord record) {
        if (!enabled.getAsBoolean() || writer.offer(record)) {
            return true;
        }
        droppedFull.inc();
        return false;
    }

    /**
     * Commits one record before its answer may leave: completes when the row is in the database, or exceptionally
     * with {@link AuditUnavailableException} when it is not within the synchronous timeout (or too many writes
     * already wait on a slow database). Completes on a managed thread, never the caller's.
     */
    public CompletionStage<Void> commit(PredictionRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!synchronousWrites.tryAcquire()) {
            refuse(done, "too many audit records already wait on a slow database");
            return done;
        }
        var timeout = executor.schedule(() -> refuse(done, "the audit record was not committed within "
                + timeoutMillis + " ms"), timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            executor.execute(() -> {
                try {
                    writer.writeNow(record, (int) Math.min(Integer.MAX_VALUE, timeoutMillis * 2));
                    done.complete(null);
                } catch (Exception e) {
                    LOG.log(Level.FINE, "synchronous audit record not written", e);
                    refuse(done, "the database did not accept the audit record");
                } finally {
                    synchronousWrites.release();
                    timeout.cancel(false);
                }
            });
        } catch (RuntimeException e) {
            synchronousWrites.release();
            timeout.cancel(false);
            refuse(done, "the audit writer is not running");
        }
        return done;
    }

    private void refuse(CompletableFuture<Void> done, String why) {
        if (done.completeExceptionally(new AuditUnavailableException("this model's answers are given only once their"
                + " audit record is stored, and " + why + "; retry later"))) {
            synchronousRefused.inc();
            long now = System.nanoTime();
            if (now - lastRefusalLogNanos > TimeUnit.SECONDS.toNanos(10)) {  // one line per 10 s under an outage
                lastRefusalLogNanos = now;
                LOG.warning("synchronously audited answers are withheld: " + why
                        + "; seraphim_audit_synchronous_refused_total counts them");
            }
        }
    }
}
