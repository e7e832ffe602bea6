package dev.seraphim.jobs.retrain;

import dev.seraphim.training.TrainingSet;
import dev.seraphim.feedback.FeedbackLog;
import dev.seraphim.feedback.LabelledExample;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.SQLException;
import java.util.List;

/** A plan's examples, split the same way in every step: training rows and held-out rows. */
@ApplicationScoped
public class TrainingData {
    @Inject
    FeedbackLog feedback;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelLifecycle lifecycle;

    /** The model's current default version; a run needs one to start from and to compare with. */
    dev.seraphim.registry.ModelVersion defaultVersion(String model, String purpose) {
        return registry.requireModel(model).defaultVersion().map(v -> registry.version(model, v))
                .orElseThrow(() -> new IllegalStateException("model " + model + " has no default version " + purpose));
    }

    List<LabelledExample> examples(RetrainPlan plan, boolean heldOut) throws SQLException {
        return feedback.examples(plan.model(), plan.maxFeedbackId()).stream().filter(e -> plan.heldOut(e.id()) == heldOut).toList();
    }

    TrainingSet load(RetrainPlan plan, boolean heldOut) throws SQLException {
        ModelDescriptor d = registry.version(plan.model(), plan.baseVersion()).descriptor(lifecycle.artifacts().root());
        return TrainingSet.of(examples(plan, heldOut), d.inputs().get(0));
    }
}
