package dev.seraphim.jobs.maintenance;

import dev.seraphim.jobs.JobParameters;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The maintenance job's limits: configured defaults, overridden by the execution's parameters. */
@ApplicationScoped
public class MaintenanceSettings {
    @Inject
    @ConfigProperty(name = "seraphim.maintenance.audit.retention.days", defaultValue = "90")
    int auditRetentionDays;

    @Inject
    @ConfigProperty(name = "seraphim.maintenance.archive.after.days", defaultValue = "180")
    int archiveAfterDays;

    @Inject
    @ConfigProperty(name = "seraphim.maintenance.job.retention.days", defaultValue = "90")
    int jobRetentionDays;

    int jobRetentionDays(JobContext job) {
        return JobParameters.integer(JobParameters.of(job), "jobRetentionDays", jobRetentionDays);
    }

    int auditRetentionDays(JobContext job) {
        return JobParameters.integer(JobParameters.of(job), "auditRetentionDays", auditRetentionDays);
    }

    int archiveAfterDays(JobContext job) {
        return JobParameters.integer(JobParameters.of(job), "archiveAfterDays", archiveAfterDays);
    }
}
