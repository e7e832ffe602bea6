package dev.seraphim.inference.engine;

import dev.seraphim.inference.model.ModelDescriptor;

/**
 * The model version a request was resolved to, once, by {@link InferenceGate#resolve}: what the web tier (or
 * gRPC) may know of it, its signature and whether it answers. The batcher and the module stay the engine's.
 */
public final class ModelTarget {
    private final ServedModel served;
    /** the version this request is mirrored to (its model's traffic policy's shadow), or null */
    private final ServedModel shadow;

    ModelTarget(ServedModel served) {
        this(served, null);
    }

    ModelTarget(ServedModel served, ServedModel shadow) {
        this.served = served;
        this.shadow = shadow;
    }

    ServedModel shadow() {
        return shadow;
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
