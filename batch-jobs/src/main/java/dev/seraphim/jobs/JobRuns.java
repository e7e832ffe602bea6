package dev.seraphim.jobs;

import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.BatchStatus;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Counts every job execution by its outcome, {@code seraphim_batch_job_runs_total{job,status}} (COMPLETED,
 * FAILED, STOPPED), and times it, {@code seraphim_batch_job_duration_seconds{job}}: the alerts on a failed or
 * missing backup and drill read these. Listed on every job.
 */
@Named("jobRuns")
@Dependent
public class JobRuns extends AbstractJobListener {
    @Inject
    JobContext job;

    @Inject
    MetricRegistry metrics;

    private long started;

    @Override
    public void beforeJob() {
        started = System.nanoTime();
    }

    @Override
    public void afterJob() {
        // at this point a successful job is still STARTED: its end is COMPLETED
        BatchStatus s = job.getBatchStatus();
        String status = s == BatchStatus.FAILED || (job.getExitStatus() != null && job.getExitStatus().startsWith("FAILED")) ? "FAILED"
                : s == BatchStatus.STOPPING || s == BatchStatus.STOPPED ? "STOPPED" : "COMPLETED";
        metrics.counter(Metadata.builder().withName("seraphim_batch_job_runs_total")
                .withDescription("Job executions by job and outcome").build(), new Tag("job", job.getJobName()), new Tag("status", status)).inc();
        metrics.timer(Metadata.builder().withName("seraphim_batch_job_duration")
                .withDescription("How long job executions ran").build(), new Tag("job", job.getJobName()))
                .update(java.time.Duration.ofNanos(System.nanoTime() - started));
    }
}
