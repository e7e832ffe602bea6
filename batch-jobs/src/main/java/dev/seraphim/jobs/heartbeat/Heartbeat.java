package dev.seraphim.jobs.heartbeat;

import dev.seraphim.inference.engine.InferenceEngine;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.util.logging.Logger;

/**
 * The placeholder job of the batch-jobs module: proves that Jakarta Batch runs in this EAR, with its job
 * repository in PostgreSQL, and reaches the inference engine. The batch-jobs issue brings the real jobs.
 */
@Named("heartbeat")
@Dependent
public class Heartbeat extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    @Inject
    InferenceEngine engine;

    @Override
    public String process() {
        int ready = engine.readyModels().size();
        LOG.info("heartbeat: " + ready + " models ready");
        return "MODELS_READY=" + ready;
    }
}
