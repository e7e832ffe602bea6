package dev.seraphim.jobs.retrain;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What one retrain run works on, fixed by its first step and kept in its work directory so that every later
 * step, and a restart, uses the same base version and the same examples.
 *
 * @param maxFeedbackId the run uses the model's feedback with ids up to this one
 * @param trainer       "in-process" (libtorch autograd here) or "external"
 */
record RetrainPlan(String model, String baseVersion, long maxFeedbackId, int holdoutPercent, String trainer,
                   Training training, String reason) {

    record Training(int epochs, double learningRate, int batchSize, double minGain, boolean canary) {
    }

    static final String FILE = "plan.properties";
    static final String BASE_MODEL = "base.pt";
    static final String CHECKPOINT = "checkpoint.pt";
    static final String CANDIDATE = "candidate.pt";

    void write(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("model", model);
        p.setProperty("baseVersion", baseVersion);
        p.setProperty("maxFeedbackId", Long.toString(maxFeedbackId));
        p.setProperty("holdoutPercent", Integer.toString(holdoutPercent));
        p.setProperty("trainer", trainer);
        p.setProperty("epochs", Integer.toString(training.epochs()));
        p.setProperty("learningRate", Double.toString(training.learningRate()));
        p.setProperty("batchSize", Integer.toString(training.batchSize()));
        p.setProperty("minGain", Double.toString(training.minGain()));
        p.setProperty("canary", Boolean.toString(training.canary()));
        p.setProperty("reason", reason == null ? "" : reason);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "retrain plan");
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static RetrainPlan read(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE))) {
            p.load(r);
        }
        return new RetrainPlan(p.getProperty("model"), p.getProperty("baseVersion"), Long.parseLong(p.getProperty("maxFeedbackId")),
                Integer.parseInt(p.getProperty("holdoutPercent")), p.getProperty("trainer"),
                new Training(Integer.parseInt(p.getProperty("epochs")), Double.parseDouble(p.getProperty("learningRate")),
                        Integer.parseInt(p.getProperty("batchSize")), Double.parseDouble(p.getProperty("minGain")),
                        Boolean.parseBoolean(p.getProperty("canary"))), p.getProperty("reason"));
    }

    /** The run's work directory: one per job instance, so a restart finds its plan and checkpoint. */
    static Path workDir(RetrainSettings settings, String model, long instanceId) {
        return settings.dir().resolve(model + "-" + instanceId);
    }

    /** The work directory of the run {@code job} belongs to. */
    static Path workDir(RetrainSettings settings, jakarta.batch.runtime.context.JobContext job) {
        return workDir(settings, dev.seraphim.jobs.JobParameters.text(dev.seraphim.jobs.JobParameters.of(job), "model"), job.getInstanceId());
    }

    /** Whether an example belongs to the held-out split: fixed by its id, the same in every step and run. */
    boolean heldOut(long feedbackId) {
        return Math.floorMod(feedbackId * 2654435761L, 100) < holdoutPercent;
    }
}
