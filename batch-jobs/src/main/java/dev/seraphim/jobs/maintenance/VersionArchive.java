package dev.seraphim.jobs.maintenance;

import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.RegisteredModel;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Step {@code archive-versions} of {@code maintenance}: archives, through the registry's lifecycle (audited),
 * every model version older than {@code archiveAfterDays} that is neither its model's default nor wanted loaded.
 */
@Named("maintenanceVersionArchive")
@Dependent
public class VersionArchive extends AbstractBatchlet {
    @Inject
    JobContext job;

    @Inject
    MaintenanceSettings settings;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelLifecycle lifecycle;

    @Override
    public String process() {
        Duration age = Duration.ofDays(settings.archiveAfterDays(job));
        List<String> archived = new ArrayList<>();
        for (RegisteredModel m : registry.models()) {
            lifecycle.archive(m.name(), age, "maintenance").forEach(v -> archived.add(m.name() + ":" + v));
        }
        return "ARCHIVED=" + archived.size();
    }
}
