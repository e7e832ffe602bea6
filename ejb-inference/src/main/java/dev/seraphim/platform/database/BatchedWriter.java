package dev.seraphim.platform.database;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Rows written to PostgreSQL off the caller's path: callers {@link #offer} a row into a bounded buffer and go
 * on; {@link #writePending} (run by its owner on a managed scheduled executor) moves the buffer to the database
 * in JDBC batches. A failed batch is kept, in order, and retried after a pause that doubles up to a maximum;
 * a row that finds the buffer full is refused and logged (one line per 10 s with the count) so that the owner
 * can count it. Used by the prediction audit and the access audit.
 *
 * @param <T> the row type
 */
public final class BatchedWriter<T> {
    /** How one row type becomes an INSERT. */
    public interface Rows<T> {
        String insertSql();

        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BATCHES_PER_RUN = 20;

    private final String what;
    private final String droppedMetric;
    private final DataSource dataSource;
    private final Rows<T> rows;
    private final int batchSize;
    private final long firstRetryMillis;
    private final long maxRetryMillis;
    private final Logger log;
    private final ArrayBlockingQueue<T> buffer;
    /** The batch being written; touched only under {@link #writing}, so a failed batch is retried in order. */
    private final List<T> batch = new ArrayList<>();
    private final ReentrantLock writing = new ReentrantLock();
    /** Size and first row of {@link #batch}, for readers on other threads (gauges, health). */
    private volatile int inFlight;
    private volatile T inFlightHead;
    private final AtomicLong droppedUnlogged = new AtomicLong();
    private volatile long lastDropLogNanos;
    private volatile long retryAtNanos;
    private volatile long retryDelayMillis;
    private volatile boolean failing;

    /**
     * @param what          the rows, as log lines name them ("prediction audit records")
     * @param droppedMetric where the owner counts refused rows, for the log line
     */
    public BatchedWriter(String what, String droppedMetric, DataSource dataSource, Rows<T> rows, int capacity,
                         int batchSize, long firstRetryMillis, long maxRetryMillis, Logger log) {
        this.what = what;
        this.droppedMetric = droppedMetric;
        this.dataSource = dataSource;
        this.rows = rows;
        this.batchSize = batchSize;
        this.firstRetryMillis = firstRetryMillis;
        this.maxRetryMillis = Math.max(firstRetryMillis, maxRetryMillis);
        this.log = log;
        this.buffer = new ArrayBlockingQueue<>(capacity);
    }

    /** Takes one row without waiting; never throws. False (and logged) when the buffer is full. */
    public boolean offer(T row) {
        if (buffer.offer(row)) {
            return true;
        }
        long total = droppedUnlogged.incrementAndGet();
        long now = System.nanoTime();
        if (lastDropLogNanos == 0 || now - lastDropLogNanos >= DROP_LOG_INTERVAL_NANOS) {
            lastDropLogNanos = now;
            droppedUnlogged.addAndGet(-total);
            log.severe("dropped " + total + " " + what + ": the buffer of " + capacity() + " is full (the database "
                    + (failing ? "is failing" : "cannot keep up") + "); counted in " + droppedMetric);
        }
        return false;
    }

    /** Rows accepted but not yet in the database. */
    public long pending() {
        return buffer.size() + inFlight;
    }

    public int capacity() {
        return buffer.size() + buffer.remainingCapacity();
    }

    /** The oldest row not yet written, if any. */
    public T oldest() {
        T head = inFlightHead;
        return head != null ? head : buffer.peek();
    }

    public boolean failing() {
        return failing;
    }

    /** What one run did: rows written, and whether it stopped at a failed batch (kept for the retry). */
    public record Run(int written, boolean failed) {
    }

    /**
     * Writes up to a bounded number of batches. Does nothing while a retry pause lasts or another run is in
     * progress; never throws.
     */
    public Run writePending() {
        if (System.nanoTime() < retryAtNanos || !writing.tryLock()) {
            return new Run(0, false);
        }
        int written = 0;
        try {
            for (int i = 0; i < BATCHES_PER_RUN; i++) {
                if (batch.isEmpty()) {
                    buffer.drainTo(batch, batchSize);
                    inFlightHead = batch.isEmpty() ? null : batch.get(0);
                    inFlight = batch.size();
                }
                if (batch.isEmpty()) {
                    break;
                }
                try {
                    insert(batch);
                } catch (SQLException | RuntimeException e) {
                    retryDelayMillis = retryDelayMillis == 0 ? firstRetryMillis : Math.min(maxRetryMillis, retryDelayMillis * 2);
                    retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryDelayMillis);
                    if (!failing) {
                        failing = true;
                        log.warning("cannot write " + what + " (" + e.getMessage() + "); " + pending()
                                + " wait in the buffer and are retried until the database answers");
                    }
                    return new Run(written, true);
                }
                written += batch.size();
                batch.clear();
                inFlight = 0;
                inFlightHead = null;
                retryDelayMillis = 0;
                if (failing) {
                    failing = false;
                    log.info(what + " are written again; " + pending() + " still waiting");
                }
            }
            return new Run(written, false);
        } finally {
            writing.unlock();
        }
    }

    /** Writes everything accepted so far, retrying without pause until done or out of patience. */
    public boolean flush(long patienceMillis, java.util.function.Consumer<Run> runs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patienceMillis);
        while (pending() > 0 && System.nanoTime() < deadline) {
            retryAtNanos = 0;
            runs.accept(writePending());
            if (pending() > 0) {
                try {
                    Thread.sleep(Math.min(250, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return pending() == 0;
    }

    /** Empties the buffer (at the end of a failed shutdown flush); returns how many rows were lost. */
    public long discard() {
        writing.lock();
        try {
            long lost = pending();
            batch.clear();
            inFlight = 0;
            inFlightHead = null;
            buffer.clear();
            return lost;
        } finally {
            writing.unlock();
        }
    }

    /**
     * Writes one row now, in a transaction of its own, for a caller that must know it is stored before it goes on
     * (a synchronous audit). The socket's timeout ends a round trip to a frozen database.
     */
    public void writeNow(T row, int networkTimeoutMillis) throws SQLException {
        insert(List.of(row), networkTimeoutMillis);
    }

    private void insert(List<T> batchRows) throws SQLException {
        insert(batchRows, 0);
    }

    private void insert(List<T> batchRows, int networkTimeoutMillis) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (networkTimeoutMillis > 0) {
                c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            }
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(rows.insertSql())) {
                s.setQueryTimeout(30);
                for (T row : batchRows) {
                    rows.bind(s, row);
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                if (networkTimeoutMillis > 0) {
                    c.setNetworkTimeout(Runnable::run, 0);  // the pooled connection goes back as it came
                }
            }
        }
    }
}
