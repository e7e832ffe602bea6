package dev.seraphim.inference.engine;

import dev.seraphim.inference.model.ModelDescriptor;

/**
 * The model version a request was resolved to, once, by {@link InferenceGate#resolve}: what the web tier (or
 * gRPC) may know of it, its signature and whether it answers. The batcher and the module stay the engine's.
 */
public final class ModelTarget {
    private final ServedModel served;

    ModelTarget(ServedModel served) {
        this.served = served;
    }

    public String name() {
        return served.name();
    }

    public String version() {
        return served.version();
    }

    /** The signature (inputs, outputs) and settings the version was registered with. */
    public ModelDescriptor descriptor() {
        return served.descriptor();
    }

    public boolean ready() {
        return served.ready();
    }

    ServedModel served() {
        return served;
    }
}
