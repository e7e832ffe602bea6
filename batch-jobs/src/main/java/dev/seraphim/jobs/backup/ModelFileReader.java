package dev.seraphim.jobs.backup;

import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
        Path store = settings.modelStore();
        if (Files.isDirectory(store)) {
            try (Stream<Path> s = Files.walk(store)) {
                files = s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString().replace('\\', '/'))
                        .filter(p -> !p.startsWith(".staging/")).sorted().toList();
            }
        } else {
            files = List.of();
        }
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
