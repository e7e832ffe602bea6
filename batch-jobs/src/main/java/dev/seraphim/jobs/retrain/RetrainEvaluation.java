package dev.seraphim.jobs.retrain;

import dev.seraphim.inference.engine.EngineSettings;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistration;
import dev.seraphim.registry.ModelVersion;
import dev.seraphim.training.HeldOutAccuracy;
import dev.seraphim.training.TrainingSet;
import jakarta.annotation.Resource;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Step {@code evaluate} of {@code retrain}: held-out accuracy of the candidate against the model's current
 * default version on the same rows. Only a candidate better by at least {@code minGain} is registered, as a new
 * version carrying its figures in its metrics; with {@code canary} it is also loaded beside the default.
 */
@Named("retrainEvaluation")
@Dependent
public class RetrainEvaluation extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(RetrainEvaluation.class.getName());

    @Inject
    JobContext job;

    @Inject
    RetrainSettings settings;

    @Inject
    TrainingData data;

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    dev.seraphim.rollout.Rollouts rollouts;

    @Inject
    EngineSettings engineSettings;

    @Resource
    ManagedThreadFactory threads;

    @Override
    public String process() throws Exception {
        Path dir = RetrainPlan.workDir(settings, job);
        RetrainPlan plan = RetrainPlan.read(dir);
        String model = plan.model();
        Path candidate = dir.resolve("external".equals(plan.trainer()) ? RetrainPlan.CANDIDATE : RetrainPlan.CHECKPOINT);
        if (!Files.exists(candidate)) {
            throw new IllegalStateException("the trainer left no model at " + candidate.getFileName());
        }
        ModelVersion current = data.defaultVersion(model, "to compare with");
        ModelDescriptor currentDescriptor = current.descriptor(lifecycle.artifacts().root());
        int trainRows = data.examples(plan, false).size();
        double candidateAccuracy;
        double currentAccuracy;
        int heldOutRows;
        try (TrainingSet heldOut = data.load(plan, true)) {
            if (heldOut.rows() == 0) {
                throw new IllegalStateException("no held-out examples; send more feedback");
            }
            heldOutRows = heldOut.rows();
            candidateAccuracy = HeldOutAccuracy.of(candidate, heldOut, engineSettings.intraOpThreads(), threads);
            currentAccuracy = HeldOutAccuracy.of(currentDescriptor.file(), heldOut, engineSettings.intraOpThreads(), threads);
        }
        double gain = candidateAccuracy - currentAccuracy;
        String figures = String.format(Locale.ROOT, "held-out accuracy %.3f against %.3f of default version %s on %d rows (gain %.3f, needed %.3f)",
                candidateAccuracy, currentAccuracy, current.version(), heldOutRows, gain, plan.training().minGain());
        if (gain < plan.training().minGain()) {
            LOG.info("retrain of " + model + ": not registered, " + figures);
            job.setExitStatus("NOT_REGISTERED: " + figures);
            return "NOT_REGISTERED";
        }
        JsonObject metrics = Json.createObjectBuilder().add("heldout_accuracy", candidateAccuracy)
                .add("baseline_accuracy", currentAccuracy).add("baseline_version", current.version()).add("gain", gain)
                .add("train_examples", trainRows).add("heldout_examples", heldOutRows).add("epochs", plan.training().epochs())
                .add("trainer", plan.trainer()).add("retrain_execution_id", job.getExecutionId()).build();
        // the candidate replaces the default version, so it keeps that version's signature and serving settings too
        ModelRegistration registration = ModelRegistration.like(currentDescriptor, "retrained from version " + plan.baseVersion()
                + " on " + trainRows + " labelled examples" + (plan.reason() == null || plan.reason().isBlank() ? "" : " (" + plan.reason() + ")"),
                metrics.toString(), plan.training().canary(), "retrain");
        ModelVersion registered;
        try (InputStream in = Files.newInputStream(candidate)) {
            registered = lifecycle.register(in, registration);
        }
        String rollout = "";
        if (plan.training().canary()) {
            // a canary is rolled out, not only loaded: its traffic raised step by step from live figures (docs/rollouts.md)
            rollout = " (rollout " + rollouts.start(model, Json.createObjectBuilder().add("candidate", registered.version())
                    .add("steps", Json.createArrayBuilder().add(5).add(25).add(50).add(100)).add("step_seconds", 300).build(), "retrain").id() + ")";
        }
        String status = "REGISTERED version " + registered.version() + (plan.training().canary() ? " as a canary" + rollout : "") + ": " + figures;
        LOG.info("retrain of " + model + ": " + status);
        job.setExitStatus(status);
        return "REGISTERED";
    }
}
