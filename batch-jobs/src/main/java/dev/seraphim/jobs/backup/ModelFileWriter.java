package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Step {@code model-files} of {@code backup}, its writer: copies each file under {@code models/} of the backup. */
@Named("modelFileWriter")
@Dependent
public class ModelFileWriter extends AbstractItemWriter {
    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Override
    public void writeItems(List<Object> items) throws Exception {
        Path target = BackupFolders.partialFor(settings.directory(), job.getInstanceId()).resolve("models");
        Path store = settings.modelStore();
        for (Object item : items) {
            String relative = (String) item;
            Path to = target.resolve(relative).normalize();
            if (!to.startsWith(target)) {
                throw new IllegalStateException("model store entry " + relative + " leaves the store");
            }
            Files.createDirectories(to.getParent());
            Files.copy(store.resolve(relative), to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
