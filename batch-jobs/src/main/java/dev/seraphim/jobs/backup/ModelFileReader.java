package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.io.Serializable;
import java.util.List;

/**
 * Step {@code model-files} of {@code backup}, its reader: the model store's files (uploads in progress aside)
 * in name order; the checkpoint is the position, so a restarted backup copies only what is left.
 */
@Named("modelFileReader")
@Dependent
public class ModelFileReader extends AbstractItemReader {
    @Inject
    BackupSettings settings;

    private List<String> files;
    private int next;

    @Override
    public void open(Serializable checkpoint) throws Exception {
        files = BackupFolders.modelStoreFiles(settings.modelStore());
        next = checkpoint == null ? 0 : (Integer) checkpoint;
    }

    @Override
    public Object readItem() {
        return next < files.size() ? files.get(next++) : null;
    }

    @Override
    public Serializable checkpointInfo() {
        return next;
    }
}
