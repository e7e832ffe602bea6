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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/metrics[?scope=]} (and the runbooks' {@code GET /api/metrics}): Liberty's Prometheus text, the
 * same as {@code https://host:8443/metrics}, for an operator or admin key on plain HTTP, where /metrics itself
 * only redirects to HTTPS.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@ApplicationScoped
@Path("api/v1/metrics")
public class MetricsOverHttpResource {
    @Inject
    LibertyEndpoints liberty;

    @GET
    public Response metrics(@QueryParam("scope") String scope, @HeaderParam("Authorization") String authorization) {
        String query = scope == null ? "" : "?scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        LibertyEndpoints.Answer a = liberty.get("/metrics" + query, authorization, "text/plain");
        return Response.status(a.status()).type(a.contentType() == null ? "text/plain" : a.contentType()).entity(a.body()).build();
    }
}
