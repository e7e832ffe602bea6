package dev.seraphim.audit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The prediction audit trail: requests hand their record to a bounded in-memory buffer and go on; one writer
 * moves the buffer to PostgreSQL in batches. While the database is slow or down, records wait (retrying with
 * a doubling pause) and are written once it answers; a record that finds the buffer full is dropped, counted
 * in {@code seraphim_audit_records_dropped_total} and logged. Stopping the application writes what is left.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class PredictionAuditTrail {
    private static final Logger LOG = Logger.getLogger(PredictionAuditTrail.class.getName());
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BATCHES_PER_RUN = 20;
    private static final String INSERT = "INSERT INTO prediction_audit (received_at, request_id, api, model_name,"
            + " model_version, key_hash, client_address, outcome, http_status, latency_us, queue_us, compute_us,"
            + " batch_rows, input_sha256, output_sha256, input_sample, output_sample, server_name)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    AuditSettings settings;

    @Inject
    MetricRegistry metrics;

    private ArrayBlockingQueue<PredictionRecord> buffer;
    /** The batch being written; touched only under {@link #writing}, so a failed batch is retried in order. */
    private final List<PredictionRecord> batch = new ArrayList<>();
    private final ReentrantLock writing = new ReentrantLock();
    /** Size and first record of {@link #batch}, for readers on other threads (gauges, health). */
    private volatile int inFlight;
    private volatile PredictionRecord inFlightHead;
    private final AtomicLong droppedUnlogged = new AtomicLong();
    private volatile long lastDropLogNanos;
    private volatile long retryAtNanos;
    private volatile long retryDelayMillis;
    private volatile boolean databaseFailing;
    private Counter written;
    private Counter writeFailures;
    private ScheduledFuture<?> writer;

    @PostConstruct
    void start() {
        buffer = new ArrayBlockingQueue<>(settings.bufferCapacity());
        written = metrics.counter(Metadata.builder().withName("seraphim_audit_records_written")
                .withDescription("Prediction audit records written to the database").build());
        writeFailures = metrics.counter(Metadata.builder().withName("seraphim_audit_write_failures")
                .withDescription("Failed attempts to write a batch of audit records (the batch is kept and retried)").build());
        dropped("buffer_full");
        dropped("shutdown");
        metrics.gauge(Metadata.builder().withName("seraphim_audit_buffer_records")
                .withDescription("Audit records waiting to be written, including the batch in flight").build(), this::pending);
        metrics.gauge(Metadata.builder().withName("seraphim_audit_buffer_capacity_records")
                .withDescription("Audit records the buffer holds before new ones are dropped").build(), () -> buffer.remainingCapacity() + buffer.size());
        metrics.gauge(Metadata.builder().withName("seraphim_audit_oldest_pending_age").withUnit(MetricUnits.SECONDS)
                .withDescription("Age of the oldest audit record not yet written (0 when none waits)").build(), this::oldestPendingSeconds);
        long every = settings.flushIntervalMillis();
        writer = scheduler.scheduleWithFixedDelay(this::writePendingQuietly, every, every, TimeUnit.MILLISECONDS);
        LOG.info("prediction audit trail: buffer of " + settings.bufferCapacity() + " records, batches of "
                + settings.batchSize() + ", written every " + every + " ms" + (settings.enabled() ? "" : " (disabled)"));
    }

    /** Takes one record without waiting; never throws. False when the record had to be dropped. */
    public boolean submit(PredictionRecord record) {
        if (!settings.enabled()) {
            return true;
        }
        if (buffer.offer(record)) {
            return true;
        }
        dropped("buffer_full").inc();
        logDrop(1, "the audit buffer is full (" + settings.bufferCapacity() + " records; the database "
                + (databaseFailing ? "is failing" : "cannot keep up") + ")");
        return false;
    }

    /** Records accepted but not yet in the database. */
    public long pending() {
        return buffer.size() + inFlight;
    }

    public boolean databaseFailing() {
        return databaseFailing;
    }

    /** Writes everything accepted so far (used by graceful shutdown; also handy for operators' tools). */
    public boolean flush(long patienceMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patienceMillis);
        while (pending() > 0 && System.nanoTime() < deadline) {
            retryAtNanos = 0;
            writePendingQuietly();
            if (pending() > 0) {
                sleep(Math.min(250, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
        }
        return pending() == 0;
    }

    @PreDestroy
    void stop() {
        if (writer != null) {
            writer.cancel(false);
        }
        if (!flush(settings.shutdownFlushMillis())) {
            writing.lock();
            try {
                long lost = pending();
                batch.clear();
                inFlight = 0;
                inFlightHead = null;
                buffer.clear();
                dropped("shutdown").inc(lost);
                LOG.severe(lost + " prediction audit records could not be written before shutdown (database unavailable"
                        + " for " + settings.shutdownFlushMillis() + " ms); counted in seraphim_audit_records_dropped_total{reason=\"shutdown\"}");
            } finally {
                writing.unlock();
            }
        } else {
            LOG.info("prediction audit trail flushed at shutdown");
        }
    }

    private void writePendingQuietly() {
        try {
            writePending();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit writer failed; it runs again at the next interval", e);
        }
    }

    private void writePending() {
        if (System.nanoTime() < retryAtNanos || !writing.tryLock()) {
            return;
        }
        try {
            for (int i = 0; i < BATCHES_PER_RUN; i++) {
                if (batch.isEmpty()) {
                    buffer.drainTo(batch, settings.batchSize());
                    inFlightHead = batch.isEmpty() ? null : batch.get(0);
                    inFlight = batch.size();
                }
                if (batch.isEmpty()) {
                    return;
                }
                try {
                    insert(batch);
                } catch (SQLException e) {
                    writeFailures.inc();
                    retryDelayMillis = retryDelayMillis == 0 ? settings.flushIntervalMillis()
                            : Math.min(settings.maxRetryMillis(), retryDelayMillis * 2);
                    retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDelayMillis);
                    if (!databaseFailing) {
                        databaseFailing = true;
                        LOG.warning("cannot write prediction audit records (" + e.getMessage() + "); " + pending()
                                + " records wait in the buffer and are retried until the database answers");
                    }
                    return;
                }
                written.inc(batch.size());
                batch.clear();
                inFlight = 0;
                inFlightHead = null;
                retryDelayMillis = 0;
                if (databaseFailing) {
                    databaseFailing = false;
                    LOG.info("prediction audit records are written again; " + pending() + " still waiting");
                }
            }
        } finally {
            writing.unlock();
        }
    }

    private void insert(List<PredictionRecord> records) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                s.setQueryTimeout(30);
                for (PredictionRecord r : records) {
                    s.setTimestamp(1, Timestamp.from(r.receivedAt()));
                    s.setString(2, r.requestId());
                    s.setString(3, r.api());
                    s.setString(4, r.model());
                    s.setString(5, r.version());
                    s.setString(6, r.keyHash());
                    s.setString(7, r.clientAddress());
                    s.setString(8, r.outcome());
                    s.setInt(9, r.httpStatus());
                    s.setLong(10, r.latencyMicros());
                    setLong(s, 11, r.queueMicros());
                    setLong(s, 12, r.computeMicros());
                    if (r.batchRows() == null) {
                        s.setNull(13, Types.INTEGER);
                    } else {
                        s.setInt(13, r.batchRows());
                    }
                    s.setString(14, r.inputSha256());
                    s.setString(15, r.outputSha256());
                    s.setString(16, r.inputSample());
                    s.setString(17, r.outputSample());
                    s.setString(18, r.serverName());
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private double oldestPendingSeconds() {
        PredictionRecord oldest = inFlightHead != null ? inFlightHead : buffer.peek();
        return oldest == null ? 0 : Math.max(0, (System.currentTimeMillis() - oldest.receivedAt().toEpochMilli()) / 1000.0);
    }

    private Counter dropped(String reason) {
        return metrics.counter(Metadata.builder().withName("seraphim_audit_records_dropped")
                .withDescription("Prediction audit records dropped, by reason: buffer_full (the database was down or slow"
                        + " for longer than the buffer covers) or shutdown (not written within the shutdown flush time)").build(),
                new Tag("reason", reason));
    }

    /** Every drop is counted; the log gets one line per 10 s with the number dropped since the last line. */
    private void logDrop(long n, String why) {
        long total = droppedUnlogged.addAndGet(n);
        long now = System.nanoTime();
        if (now - lastDropLogNanos >= DROP_LOG_INTERVAL_NANOS || lastDropLogNanos == 0) {
            lastDropLogNanos = now;
            droppedUnlogged.addAndGet(-total);
            LOG.severe("dropped " + total + " prediction audit records: " + why);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
