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

    public dev.seraphim.api.codec.TensorLimits tensors() {
        return new dev.seraphim.api.codec.TensorLimits(maxTensorElements, maxRequestRows);
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }
}
