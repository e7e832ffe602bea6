package dev.seraphim.jobs.retrain;

import dev.seraphim.feedback.LabelledExample;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.BufferedWriter;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Step {@code external} of {@code retrain}, for models that are not fine-tuned in-process. With
 * {@code seraphim.retrain.external.command} the command runs here with the base model and the labelled examples
 * (JSON lines) as files and must write the candidate model, which {@code evaluate} then judges like any other.
 * With only {@code seraphim.retrain.external.url}, the run is handed off by an HTTP POST and ends; the external
 * trainer registers its result through the management API.
 */
@Named("retrainExternalTrainer")
@Dependent
public class ExternalTrainer extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(ExternalTrainer.class.getName());

    @Inject
    JobContext job;

    @Inject
    RetrainSettings settings;

    @Inject
    TrainingData data;

    @Override
    public String process() throws Exception {
        Path dir = RetrainPlan.workDir(settings, job);
        RetrainPlan plan = RetrainPlan.read(dir);
        String model = plan.model();
        Path examples = dir.resolve("feedback.jsonl");
        List<LabelledExample> training = data.examples(plan, false);
        try (BufferedWriter w = Files.newBufferedWriter(examples)) {
            for (LabelledExample e : training) {
                JsonValue inputs;
                try (JsonReader r = Json.createReader(new StringReader(e.inputs()))) {
                    inputs = r.readValue();
                }
                w.write(Json.createObjectBuilder().add("id", e.id()).add("label", e.label()).add("inputs", inputs).build() + "\n");
            }
        }
        if (settings.externalCommand().isPresent()) {
            return runCommand(settings.externalCommand().get(), plan, dir, examples);
        }
        String body = Json.createObjectBuilder().add("model", model).add("base_version", plan.baseVersion())
                .add("feedback_examples", training.size()).add("feedback_max_id", plan.maxFeedbackId())
                .add("retrain_execution_id", job.getExecutionId()).add("reason", plan.reason() == null ? "" : plan.reason()).build().toString();
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                HttpRequest.newBuilder(URI.create(settings.externalUrl().orElseThrow())).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the external trainer's hook answered HTTP " + response.statusCode());
        }
        job.setExitStatus("HANDED_OFF: model " + model + " sent to the external trainer (HTTP " + response.statusCode() + ")");
        return "HANDED_OFF";
    }

    private String runCommand(String command, RetrainPlan plan, Path dir, Path examples) throws Exception {
        Path output = dir.resolve(RetrainPlan.CANDIDATE);
        Files.deleteIfExists(output);
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("external-trainer.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("SERAPHIM_MODEL", plan.model());
        env.put("SERAPHIM_BASE_VERSION", plan.baseVersion());
        env.put("SERAPHIM_BASE_MODEL", dir.resolve(RetrainPlan.BASE_MODEL).toString());
        env.put("SERAPHIM_FEEDBACK", examples.toString());
        env.put("SERAPHIM_OUTPUT", output.toString());
        Process process = builder.start();
        if (!process.waitFor(settings.externalTimeoutMinutes(), TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the external trainer did not finish within " + settings.externalTimeoutMinutes() + " minutes");
        }
        if (process.exitValue() != 0) {
            List<String> log = Files.readAllLines(dir.resolve("external-trainer.log"), StandardCharsets.UTF_8);
            throw new IllegalStateException("the external trainer exited with " + process.exitValue()
                    + (log.isEmpty() ? "" : ": " + log.get(log.size() - 1)));
        }
        if (!Files.isRegularFile(output)) {
            throw new IllegalStateException("the external trainer exited 0 but wrote no model to SERAPHIM_OUTPUT");
        }
        LOG.info("external trainer of " + plan.model() + " wrote " + Files.size(output) + " bytes");
        return "CANDIDATE";
    }
}
