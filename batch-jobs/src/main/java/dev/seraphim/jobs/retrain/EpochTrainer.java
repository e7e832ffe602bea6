package dev.seraphim.jobs.retrain;

import jakarta.batch.api.chunk.ItemProcessor;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** Processor of step {@code train}: one epoch over the training rows. */
@Named("retrainEpochTrainer")
@Dependent
public class EpochTrainer implements ItemProcessor {
    @Inject
    StepContext step;

    @Override
    public Object processItem(Object item) {
        return ((EpochReader.Session) step.getTransientUserData()).run().epoch((Integer) item);
    }
}
