package dev.seraphim.inference.engine;

import dev.seraphim.inference.batching.Batcher;
import dev.seraphim.inference.model.ModelDescriptor;

/** A model version as this server serves it: its libtorch module, its batcher, and how loading went. */
public record ServedModel(ModelDescriptor descriptor, LoadedModel model, Batcher batcher, State state,
                          String error, long loadMillis) {
    public enum State { READY, FAILED }

    public ServedModel withDescriptor(ModelDescriptor newDescriptor) {
        return new ServedModel(newDescriptor, model, batcher, state, error, loadMillis);
    }

    public boolean ready() {
        return state == State.READY;
    }

    public String name() {
        return descriptor.name();
    }

    public String version() {
        return descriptor.version();
    }

    public int queueDepth() {
        return batcher == null ? 0 : batcher.queueDepth();
    }

    public boolean optimized() {
        return model != null && model.optimized();
    }

    /** How the served module was prepared (optimize_for_inference, freeze and why, or as loaded); "" when it failed. */
    public String preparation() {
        return model == null ? "" : model.preparation();
    }

    /** libtorch's threads for one forward of this model (0 when it failed to load). */
    public int intraOpThreads() {
        return model == null ? 0 : model.intraOpThreads();
    }
}
