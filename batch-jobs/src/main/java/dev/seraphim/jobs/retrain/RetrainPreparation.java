package dev.seraphim.jobs.retrain;

import dev.seraphim.training.TrainingSet;
import dev.seraphim.feedback.FeedbackLog;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.jobs.JobParameters;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelVersion;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Step {@code prepare} of {@code retrain}: fixes the run's plan (the model's current default as the base, the
 * feedback up to now, the training settings), copies the base model file into the run's work directory, and
 * chooses the trainer. Ends the run early, COMPLETED, when there are too few labelled examples.
 */
@Named("retrainPreparation")
@Dependent
public class RetrainPreparation extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(RetrainPreparation.class.getName());

    @Inject
    JobContext job;

    @Inject
    RetrainSettings settings;

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    FeedbackLog feedback;

    @Inject
    TrainingData data;

    @Override
    public String process() throws Exception {
        Properties p = JobParameters.of(job);
        String model = JobParameters.text(p, "model");
        ModelVersion base = data.defaultVersion(model, "to retrain");
        ModelDescriptor descriptor = base.descriptor(lifecycle.artifacts().root());
        long maxId = feedback.newestId(model);
        long examples = feedback.count(model, maxId);
        if (examples < settings.minExamples()) {
            job.setExitStatus("SKIPPED: model " + model + " has " + examples + " labelled examples; retraining needs at least "
                    + settings.minExamples() + " (POST /api/v1/feedback)");
            return "SKIPPED";
        }
        Optional<String> unsupported = TrainingSet.unsupported(descriptor);
        boolean external = settings.external(model) || unsupported.isPresent();
        if (external && !settings.externalConfigured()) {
            throw new IllegalStateException("model " + model + " cannot be fine-tuned in-process (" + unsupported.orElse("configured external")
                    + ") and no external trainer is configured (seraphim.retrain.external.command or .url)");
        }
        Path dir = RetrainPlan.workDir(settings, model, job.getInstanceId());
        Files.createDirectories(dir);
        Files.copy(descriptor.file(), dir.resolve(RetrainPlan.BASE_MODEL), StandardCopyOption.REPLACE_EXISTING);
        RetrainPlan plan = new RetrainPlan(model, base.version(), maxId, settings.holdoutPercent(), external ? "external" : "in-process",
                settings.training(p), JobParameters.text(p, "reason"));
        plan.write(dir);
        LOG.info("retrain of " + model + " from version " + base.version() + " on " + examples + " labelled examples, trainer "
                + plan.trainer() + (unsupported.isPresent() ? " (" + unsupported.get() + ")" : ""));
        return external ? "EXTERNAL" : "TRAIN";
    }
}
