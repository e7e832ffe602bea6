package dev.seraphim.jobs;

import jakarta.batch.api.listener.AbstractStepListener;
import jakarta.batch.runtime.context.JobContext;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.util.logging.Logger;

/**
 * Puts a failing step's cause into the job's exit status ("FAILED: step tables: no space left on device"), so
 * that GET /api/v1/jobs/{id} and the Admin Center say why, not just FAILED. Listed on every step.
 */
@Named("jobFailure")
@Dependent
public class JobFailure extends AbstractStepListener {
    private static final Logger LOG = Logger.getLogger(JobFailure.class.getName());
    private static final int MAX_STATUS = 480;

    @Inject
    JobContext job;

    @Inject
    StepContext step;

    @Override
    public void afterStep() {
        Exception e = step.getException();
        if (e == null) {
            return;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        String status = "FAILED: step " + step.getStepName() + ": " + cause;
        job.setExitStatus(status.length() > MAX_STATUS ? status.substring(0, MAX_STATUS) : status);
        LOG.warning("job " + job.getJobName() + " execution " + job.getExecutionId() + " " + status);
    }
}
