package dev.seraphim.api.liberty;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/** The runbooks' {@code GET /api/metrics}: {@link MetricsOverHttpResource}'s answer. */
@ErrorShape(ErrorStyle.PROBLEM)
@ApplicationScoped
@Path("api/metrics")
public class RunbookMetricsResource {
    @Inject
    MetricsOverHttpResource metrics;

    @GET
    public Response metrics(@QueryParam("scope") String scope, @HeaderParam("Authorization") String authorization) {
        return metrics.metrics(scope, authorization);
    }
}
