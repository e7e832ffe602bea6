package dev.seraphim.jobs.drift;

import dev.seraphim.drift.DriftReport;
import dev.seraphim.drift.DriftSettings;
import dev.seraphim.drift.DriftStore;
import dev.seraphim.drift.FeatureBins;
import dev.seraphim.drift.InputStatisticsRecorder;
import dev.seraphim.drift.Reference;
import dev.seraphim.jobs.JobParameters;
import dev.seraphim.registry.ModelRegistry;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.operations.JobOperator;
import jakarta.batch.operations.NoSuchJobException;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code drift-check} job: for every model version with a reference window, the Population Stability Index
 * of each input feature between the reference and the latest window ({@code seraphim.drift.window.minutes}),
 * from the per-minute histograms every server recorded at inference time. Each check is stored as a drift report
 * and exported as gauges; a model's default version over the threshold starts {@code retrain} for the model
 * (unless one is already running, or retraining on drift is off).
 */
@Named("driftCheck")
@Dependent
public class DriftCheck extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(DriftCheck.class.getName());

    @Inject
    JobContext job;

    @Inject
    DriftSettings settings;

    @Inject
    DriftStore store;

    @Inject
    InputStatisticsRecorder recorder;

    @Inject
    ModelRegistry registry;

    @Inject
    DriftMetrics metrics;

    @Override
    public String process() throws Exception {
        Properties p = JobParameters.of(job);
        String onlyModel = JobParameters.text(p, "model");
        double threshold = p.getProperty("threshold") == null ? settings.threshold() : Double.parseDouble(p.getProperty("threshold"));
        int windowMinutes = JobParameters.integer(p, "windowMinutes", settings.windowMinutes());
        boolean retrain = settings.retrain() && !"false".equals(p.getProperty("retrain"));
        recorder.flush();
        Instant to = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant from = to.minus(windowMinutes, ChronoUnit.MINUTES);
        int checked = 0;
        int drifted = 0;
        int skipped = 0;
        for (DriftStore.VersionKey key : store.referencedVersions()) {
            if (onlyModel != null && !onlyModel.equals(key.model()) || registry.findVersion(key.model(), key.version()).isEmpty()) {
                continue;
            }
            Reference reference = store.reference(key.model(), key.version()).orElseThrow();
            Map<String, long[]> window = store.window(key.model(), key.version(), from, to);
            long rows = window.values().stream().findFirst().map(c -> java.util.Arrays.stream(c).sum()).orElse(0L);
            if (rows < settings.minRows()) {
                skipped++;
                continue;
            }
            Map<String, Double> psi = new LinkedHashMap<>();
            for (Reference.Feature f : reference.features()) {
                long[] actual = window.getOrDefault(f.name(), new long[f.counts().length]);
                psi.put(f.name(), FeatureBins.psi(f.counts(), actual));
            }
            double max = psi.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            boolean over = max > threshold;
            DriftReport report = new DriftReport(0, null, key.model(), key.version(), from.atOffset(ZoneOffset.UTC),
                    to.atOffset(ZoneOffset.UTC), rows, reference.rows(), max, threshold, over, psi, job.getExecutionId(), null);
            long id = store.save(report);
            metrics.record(report);
            checked++;
            if (over) {
                drifted++;
                LOG.warning("input drift in model " + key.model() + " version " + key.version() + ": max PSI " + String.format("%.3f", max)
                        + " over " + threshold + " (" + rows + " rows since " + from + ")");
                boolean isDefault = registry.model(key.model()).flatMap(m -> m.defaultVersion()).filter(key.version()::equals).isPresent();
                if (retrain && isDefault) {
                    startRetrain(key.model(), id);
                }
            }
        }
        store.purgeHistograms(Instant.now().minus(settings.retentionDays(), ChronoUnit.DAYS));
        String status = "CHECKED=" + checked + " DRIFTED=" + drifted + " TOO_FEW_ROWS=" + skipped;
        job.setExitStatus(status);
        return status;
    }

    private void startRetrain(String model, long reportId) throws Exception {
        JobOperator operator = BatchRuntime.getJobOperator();
        try {
            for (long running : operator.getRunningExecutions("retrain")) {
                if (model.equals(operator.getParameters(running).getProperty("model"))) {
                    LOG.info("retrain of " + model + " already running (execution " + running + "); not starting another");
                    return;
                }
            }
        } catch (NoSuchJobException e) {
            // no retrain has ever run
        }
        Properties params = new Properties();
        params.setProperty("model", model);
        params.setProperty("reason", "drift report " + reportId);
        long execution = operator.start("retrain", params);
        store.retrainStarted(reportId, execution);
        LOG.info("retrain of " + model + " started (execution " + execution + ") for drift report " + reportId);
    }
}
