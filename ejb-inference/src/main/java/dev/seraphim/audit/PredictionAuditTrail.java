package dev.seraphim.audit;

import dev.seraphim.platform.database.BatchedWriter;
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
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The prediction audit trail: requests hand their record to a bounded in-memory buffer and go on; a
 * {@link BatchedWriter} moves it to PostgreSQL in batches, waiting out a slow or absent database. A record that
 * finds the buffer full is dropped, counted in {@code seraphim_audit_records_dropped_total} and logged.
 * Stopping the application writes what is left.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class PredictionAuditTrail {
    private static final Logger LOG = Logger.getLogger(PredictionAuditTrail.class.getName());

    /** How a record becomes a row of prediction_audit. */
    static final BatchedWriter.Rows<PredictionRecord> ROWS = new BatchedWriter.Rows<>() {
        @Override
        public String insertSql() {
            return "INSERT INTO prediction_audit (received_at, request_id, api, model_name, model_version, key_hash,"
                    + " client_address, outcome, http_status, latency_us, queue_us, compute_us, batch_rows, input_sha256,"
                    + " output_sha256, input_sample, output_sample, server_name)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        }

        @Override
        public void bind(PreparedStatement s, PredictionRecord r) throws SQLException {
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
            s.setObject(11, r.queueMicros(), Types.BIGINT);
            s.setObject(12, r.computeMicros(), Types.BIGINT);
            s.setObject(13, r.batchRows(), Types.INTEGER);
            s.setString(14, r.inputSha256());
            s.setString(15, r.outputSha256());
            s.setString(16, r.inputSample());
            s.setString(17, r.outputSample());
            s.setString(18, r.serverName());
        }
    };

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    AuditSettings settings;

    @Inject
    MetricRegistry metrics;

    private BatchedWriter<PredictionRecord> writer;
    private Counter written;
    private Counter writeFailures;
    private Counter droppedFull;
    private ScheduledFuture<?> schedule;
    private PredictionIntake intake;

    @PostConstruct
    void start() {
        writer = new BatchedWriter<>("prediction audit records", "seraphim_audit_records_dropped_total{reason=\"buffer_full\"}",
                dataSource, ROWS, settings.bufferCapacity(), settings.batchSize(), settings.flushIntervalMillis(),
                settings.maxRetryMillis(), LOG);
        written = metrics.counter(Metadata.builder().withName("seraphim_audit_records_written")
                .withDescription("Prediction audit records written to the database").build());
        writeFailures = metrics.counter(Metadata.builder().withName("seraphim_audit_write_failures")
                .withDescription("Failed attempts to write a batch of audit records (the batch is kept and retried)").build());
        droppedFull = dropped("buffer_full");
        intake = new PredictionIntake(settings::enabled, writer, droppedFull, scheduler, settings,
                metrics.counter(Metadata.builder().withName("seraphim_audit_synchronous_refused")
                        .withDescription("Answers of synchronously audited models withheld (503) because their audit record"
                                + " was not committed in time").build()));
        dropped("shutdown");
        metrics.gauge(Metadata.builder().withName("seraphim_audit_buffer_records")
                .withDescription("Audit records waiting to be written, including the batch in flight").build(), this::pending);
        metrics.gauge(Metadata.builder().withName("seraphim_audit_buffer_capacity_records")
                .withDescription("Audit records the buffer holds before new ones are dropped").build(), writer::capacity);
        metrics.gauge(Metadata.builder().withName("seraphim_audit_oldest_pending_age").withUnit(MetricUnits.SECONDS)
                .withDescription("Age of the oldest audit record not yet written (0 when none waits)").build(), this::oldestPendingSeconds);
        long every = settings.flushIntervalMillis();
        schedule = scheduler.scheduleWithFixedDelay(() -> count(writer.writePending()), every, every, TimeUnit.MILLISECONDS);
        LOG.info("prediction audit trail: buffer of " + settings.bufferCapacity() + " records, batches of "
                + settings.batchSize() + ", written every " + every + " ms" + (settings.enabled() ? "" : " (disabled)"));
    }

    /** The intake the request path keeps for the application's life (no container call per record). */
    public PredictionIntake intake() {
        return intake;
    }

    /** Records accepted but not yet in the database. */
    public long pending() {
        return writer.pending();
    }

    public boolean databaseFailing() {
        return writer.failing();
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        if (writer.flush(settings.shutdownFlushMillis(), this::count)) {
            LOG.info("prediction audit trail flushed at shutdown");
            return;
        }
        long lost = writer.discard();
        dropped("shutdown").inc(lost);
        LOG.severe(lost + " prediction audit records could not be written before shutdown (database unavailable"
                + " for " + settings.shutdownFlushMillis() + " ms); counted in seraphim_audit_records_dropped_total{reason=\"shutdown\"}");
    }

    private void count(BatchedWriter.Run run) {
        written.inc(run.written());
        if (run.failed()) {
            writeFailures.inc();
        }
    }

    private double oldestPendingSeconds() {
        PredictionRecord oldest = writer.oldest();
        return oldest == null ? 0 : Math.max(0, (System.currentTimeMillis() - oldest.receivedAt().toEpochMilli()) / 1000.0);
    }

    private Counter dropped(String reason) {
        return metrics.counter(Metadata.builder().withName("seraphim_audit_records_dropped")
                .withDescription("Prediction audit records dropped, by reason: buffer_full (the database was down or slow"
                        + " for longer than the buffer covers) or shutdown (not written within the shutdown flush time)").build(),
                new Tag("reason", reason));
    }
}
