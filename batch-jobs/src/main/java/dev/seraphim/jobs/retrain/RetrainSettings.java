package dev.seraphim.jobs.retrain;

import dev.seraphim.jobs.JobParameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** The retrain job's configuration (docs/configuration.md); a run's parameters override the training ones. */
@ApplicationScoped
public class RetrainSettings {
    @Inject
    @ConfigProperty(name = "seraphim.retrain.dir", defaultValue = ".seraphim/retrain")
    String dir;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.min.examples", defaultValue = "50")
    int minExamples;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.epochs", defaultValue = "10")
    int epochs;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.learning.rate", defaultValue = "0.005")
    double learningRate;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.batch.size", defaultValue = "32")
    int batchSize;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.holdout.percent", defaultValue = "20")
    int holdoutPercent;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.min.gain", defaultValue = "0.02")
    double minGain;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.canary", defaultValue = "false")
    boolean canary;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.external.command")
    Optional<String> externalCommand;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.external.url")
    Optional<String> externalUrl;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.external.models")
    Optional<List<String>> externalModels;

    @Inject
    @ConfigProperty(name = "seraphim.retrain.external.timeout.minutes", defaultValue = "60")
    int externalTimeoutMinutes;

    Path dir() {
        return Path.of(dir).toAbsolutePath();
    }

    int minExamples() {
        return Math.max(2, minExamples);
    }

    int holdoutPercent() {
        return Math.max(1, Math.min(90, holdoutPercent));
    }

    Optional<String> externalCommand() {
        return externalCommand.filter(s -> !s.isBlank());
    }

    Optional<String> externalUrl() {
        return externalUrl.filter(s -> !s.isBlank());
    }

    boolean external(String model) {
        return externalModels.orElse(List.of()).contains(model);
    }

    boolean externalConfigured() {
        return externalCommand().isPresent() || externalUrl().isPresent();
    }

    int externalTimeoutMinutes() {
        return Math.max(1, externalTimeoutMinutes);
    }

    /** The plan's training figures: this run's parameters, else the configured defaults. */
    RetrainPlan.Training training(Properties p) {
        return new RetrainPlan.Training(JobParameters.integer(p, "epochs", epochs),
                p.getProperty("learningRate") == null ? learningRate : Double.parseDouble(p.getProperty("learningRate")),
                Math.max(1, batchSize), p.getProperty("minGain") == null ? minGain : Double.parseDouble(p.getProperty("minGain")),
                p.getProperty("canary") == null ? canary : JobParameters.bool(p, "canary"));
    }
}
