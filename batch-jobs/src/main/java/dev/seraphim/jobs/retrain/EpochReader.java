package dev.seraphim.jobs.retrain;

import dev.seraphim.training.TrainingRun;
import dev.seraphim.training.TrainingSet;
import dev.seraphim.inference.engine.EngineSettings;
import jakarta.annotation.Resource;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.batch.runtime.context.JobContext;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Reader of step {@code train}: one item per epoch. Opening starts the training run from the base model, or,
 * on a restart, from the last checkpoint with the epochs it had finished; the run is shared with the processor
 * and writer through the step context.
 */
@Named("retrainEpochs")
@Dependent
public class EpochReader extends AbstractItemReader {
    private static final Logger LOG = Logger.getLogger(EpochReader.class.getName());

    @Inject
    JobContext job;

    @Inject
    StepContext step;

    @Inject
    RetrainSettings settings;

    @Inject
    TrainingData data;

    @Inject
    EngineSettings engineSettings;

    /** Each epoch runs on a thread of its own (TrainingRun.start). */
    @Resource
    ManagedThreadFactory threads;

    private RetrainPlan plan;
    private TrainingSet trainingSet;
    private TrainingRun run;
    private int next;

    @Override
    public void open(Serializable checkpoint) throws Exception {
        Path dir = RetrainPlan.workDir(settings, job);
        plan = RetrainPlan.read(dir);
        next = checkpoint instanceof Integer done ? done : 0;
        Path start = next > 0 && Files.exists(dir.resolve(RetrainPlan.CHECKPOINT)) ? dir.resolve(RetrainPlan.CHECKPOINT)
                : dir.resolve(RetrainPlan.BASE_MODEL);
        if (start.endsWith(RetrainPlan.BASE_MODEL)) {
            next = 0;
        }
        trainingSet = data.load(plan, false);
        run = TrainingRun.start(start, trainingSet, new TrainingRun.Hyperparameters(plan.training().learningRate(),
                plan.training().batchSize()), engineSettings.intraOpThreads(), threads);
        step.setTransientUserData(new Session(plan, run, dir));
        LOG.info("training " + plan.model() + " on " + trainingSet.rows() + " examples from epoch " + next + " of "
                + plan.training().epochs() + (next > 0 ? " (from the checkpoint)" : ""));
    }

    @Override
    public Object readItem() {
        return next < plan.training().epochs() ? next++ : null;
    }

    @Override
    public Serializable checkpointInfo() {
        return next;
    }

    @Override
    public void close() {
        if (run != null) {
            run.close();
        }
        if (trainingSet != null) {
            trainingSet.close();
        }
    }

    /** What the processor and writer of the step share with the reader. */
    record Session(RetrainPlan plan, TrainingRun run, Path dir) {
    }
}
