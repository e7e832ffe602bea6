package dev.seraphim.jobs.retrain;

import dev.seraphim.training.TrainingRun;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.util.List;
import java.util.logging.Logger;

/** Writer of step {@code train}: saves the module after each chunk (epoch), before the chunk's checkpoint commits. */
@Named("retrainCheckpoint")
@Dependent
public class CheckpointWriter extends AbstractItemWriter {
    private static final Logger LOG = Logger.getLogger(CheckpointWriter.class.getName());

    @Inject
    StepContext step;

    @Override
    public void writeItems(List<Object> items) throws Exception {
        EpochReader.Session session = (EpochReader.Session) step.getTransientUserData();
        session.run().save(session.dir().resolve(RetrainPlan.CHECKPOINT));
        int epochs = session.plan().training().epochs();
        int every = Math.max(1, epochs / 10);
        for (Object item : items) {
            TrainingRun.Epoch e = (TrainingRun.Epoch) item;
            if ((e.epoch() + 1) % every != 0 && e.epoch() + 1 != epochs) {
                continue; // about ten lines a run
            }
            LOG.info(String.format(java.util.Locale.ROOT, "retrain %s epoch %d: loss %.4f, training accuracy %.3f",
                    session.plan().model(), e.epoch() + 1, e.loss(), e.trainAccuracy()));
        }
    }
}
