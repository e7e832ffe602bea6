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

    public long maxBodyBytes() {
        return maxBodyBytes;
    }
}
