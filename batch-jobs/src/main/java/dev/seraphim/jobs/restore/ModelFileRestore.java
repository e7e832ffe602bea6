package dev.seraphim.jobs.restore;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Step {@code model-files} of {@code restore}: builds the backup's model store beside the live one, then
 * swaps the two directories by renames, so the store is either the old one or the restored one, never a mix.
 */
@Named("restoreModelFiles")
@Dependent
public class ModelFileRestore extends AbstractBatchlet {
    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Override
    public String process() throws Exception {
        RestoreSource source = RestoreSource.of(job, settings);
        Path store = settings.modelStore();
        Path building = store.resolveSibling(store.getFileName() + ".restoring");
        BackupFolders.deleteTree(building);
        Files.createDirectories(building);
        int count = 0;
        for (BackupManifest.FileEntry f : source.manifest().files()) {
            if (f.path().startsWith("models/")) {
                Path to = building.resolve(f.path().substring("models/".length())).normalize();
                if (!to.startsWith(building)) {
                    throw new IOException("backup entry " + f.path() + " leaves the model store");
                }
                Files.createDirectories(to.getParent());
                Files.copy(source.directory().resolve(f.path()), to, StandardCopyOption.COPY_ATTRIBUTES);
                count++;
            }
        }
        Path replaced = store.resolveSibling(store.getFileName() + ".replaced");
        BackupFolders.deleteTree(replaced);
        if (Files.exists(store)) {
            Files.move(store, replaced, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(building, store, StandardCopyOption.ATOMIC_MOVE);
        BackupFolders.deleteTree(replaced);
        job.setExitStatus("RESTORED=" + source.directory().getFileName() + " TABLES=" + source.manifest().tables().size() + " FILES=" + count);
        return "FILES=" + count;
    }
}
