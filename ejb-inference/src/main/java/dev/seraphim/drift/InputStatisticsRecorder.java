package dev.seraphim.drift;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
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

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Records the input statistics of every served model version at inference time and writes them to PostgreSQL
 * every {@code seraphim.drift.flush.seconds}: the reference window once, then per-minute bin counts that every
 * server adds to. The request path only counts; all database work is on the flush.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class InputStatisticsRecorder {
    private static final Logger LOG = Logger.getLogger(InputStatisticsRecorder.class.getName());

    @Inject
    DriftSettings settings;

    @Inject
    DriftStore store;

    @Inject
    dev.seraphim.platform.ServerIdentity identity;

    @Inject
    MetricRegistry metrics;

    @Resource
    ManagedScheduledExecutorService scheduler;

    /** model → version → statistics; two lookups on the request path, no key built per request */
    private final Map<String, Map<String, InputStatistics>> statistics = new ConcurrentHashMap<>();
    private ScheduledFuture<?> schedule;
    private Counter dropped;
    private Counter flushFailures;
    private int failingSince;

    @PostConstruct
    void start() {
        dropped = metrics.counter(Metadata.builder().withName("seraphim_drift_rows_dropped")
                .withDescription("Served rows left out of the drift statistics because the database could not take them"
                        + " for longer than the pending window").build());
        flushFailures = metrics.counter(Metadata.builder().withName("seraphim_drift_flush_failures")
                .withDescription("Failed writes of input statistics to the database (kept and retried)").build());
        if (settings.enabled()) {
            schedule = scheduler.scheduleWithFixedDelay(this::flushQuietly, settings.flushSeconds(), settings.flushSeconds(), TimeUnit.SECONDS);
        }
    }

    /** {@link #observe} as a plain function for the request path: no EJB invocation per request. */
    public java.util.function.BiConsumer<ModelDescriptor, List<TensorData>> observer() {
        return this::observe;
    }

    /** Counts one request's rows; called on the request path after its inputs were checked against the signature. */
    public void observe(ModelDescriptor d, List<TensorData> inputs) {
        if (!settings.enabled()) {
            return;
        }
        InputStatistics s = statistics.computeIfAbsent(d.name(), n -> new ConcurrentHashMap<>()).computeIfAbsent(d.version(), v -> new InputStatistics(d.name(), d.version(),
                FeatureColumn.of(d.inputs(), settings.maxFeatures()), settings.referenceRows(), settings.bins(), settings.maxPendingMinutes()));
        if (s.watched()) {
            s.observe(inputs, Instant.now());
        }
    }

    /** Writes what this server has counted; the drift check calls it first so that its own rows are in. */
    public synchronized void flush() throws SQLException {
        SQLException first = null;
        for (InputStatistics s : statistics.values().stream().flatMap(v -> v.values().stream()).toList()) {
            if (!s.watched()) {
                continue;
            }
            try {
                flush(s);
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
            long lost = s.takeDroppedRows();
            if (lost > 0) {
                dropped.inc(lost);
                LOG.warning(lost + " rows of " + s.model + " " + s.version + " were left out of the drift statistics: the"
                        + " database did not take them for " + settings.maxPendingMinutes() + " minutes");
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void flush(InputStatistics s) throws SQLException {
        if (!s.hasReference()) {
            Reference sampled = s.sampledReference();
            if (sampled != null) {
                s.useReference(store.storeReference(s.model, s.version, sampled, identity.name()));
                LOG.info("drift reference of " + s.model + " version " + s.version + " is set (" + s.columns.size() + " features)");
            } else {
                store.reference(s.model, s.version).ifPresent(s::useReference);
            }
            return;
        }
        TreeMap<Instant, long[][]> counts = s.drain();
        if (counts.isEmpty()) {
            return;
        }
        try {
            store.addCounts(s.model, s.version, s.columns.stream().map(FeatureColumn::name).toList(), counts);
        } catch (SQLException e) {
            s.restore(counts);
            throw e;
        }
    }

    /** Logs the first failure of a streak and the recovery, not every retry (the counter has each one). */
    private void flushQuietly() {
        try {
            flush();
            if (failingSince > 0) {
                LOG.info("input statistics written again after " + failingSince + " failed attempts");
                failingSince = 0;
            }
        } catch (SQLException | RuntimeException e) {
            flushFailures.inc();
            if (failingSince++ == 0) {
                LOG.warning("input statistics not written (kept, retried every " + settings.flushSeconds() + " s): " + e.getMessage());
            }
        }
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        flushQuietly();
    }
}
