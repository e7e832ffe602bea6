package dev.seraphim.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Request limits of the HTTP APIs. */
@ApplicationScoped
public class ApiLimits {
    @Inject
    @ConfigProperty(name = "seraphim.api.max.body.bytes", defaultValue = "67108864")
    long maxBodyBytes;

    @Inject
    @ConfigProperty(name = "seraphim.api.max.tensor.elements", defaultValue = "16777216")
    long maxTensorElements;

    @Inject
    @ConfigProperty(name = "seraphim.api.max.request.rows", defaultValue = "1024")
    long maxRequestRows;

    private dev.seraphim.api.codec.TensorLimits tensors;

    @jakarta.annotation.PostConstruct
    void init() {
        tensors = new dev.seraphim.api.codec.TensorLimits(maxTensorElements, maxRequestRows);
    }

    /** Built once: every inference request asks for them. */
    public dev.seraphim.api.codec.TensorLimits tensors() {
        return tensors;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }
}
