package dev.seraphim.api.torchserve;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.InferenceEndpoint;
import dev.seraphim.inference.status.ServingStatus;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * TorchServe's inference API: GET /ping and POST /predictions/{model}[/{version}] (bodies: {@link TorchServeInference}).
 */
@ErrorShape(ErrorStyle.TORCHSERVE)
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TorchServeInferenceResource {
    @Inject
    InferenceEndpoint endpoint;

    @Inject
    ServingStatus engine;

    @Inject
    ApiLimits limits;

    private TorchServeInference style;

    @PostConstruct
    void init() {
        style = new TorchServeInference(limits.tensors());
    }

    @GET
    @Path("ping")
    public Response ping() {
        boolean healthy = engine.allReady();
        // TorchServe's own word for a server some of whose models cannot answer unversioned requests
        String status = !healthy ? "Unhealthy" : engine.modelsWithoutDefault().isEmpty() ? "Healthy" : "Partial Healthy";
        return Response.status(healthy ? 200 : 500).entity(TorchServeManagementResource.status(status)).build();
    }

    @Inject
    dev.seraphim.api.liberty.LibertyEndpoints liberty;

    /**
     * TorchServe's {@code GET /api-description} and {@code OPTIONS /}: the API's OpenAPI description, here the
     * server's whole document (Seraphim serves TorchServe's inference and management APIs, OIP and its own on one
     * port), as JSON.
     */
    @GET
    @Path("api-description")
    public Response apiDescription(@jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        var a = liberty.get("/openapi?format=JSON", authorization, MediaType.APPLICATION_JSON);
        return Response.status(a.status()).type(MediaType.APPLICATION_JSON).entity(a.body()).build();
    }

    @jakarta.ws.rs.OPTIONS
    public Response describe(@jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        return apiDescription(authorization);
    }

    @POST
    @Path("predictions/{model}")
    public CompletionStage<Response> predict(@PathParam("model") String model, InputStream body, @Context HttpServletRequest http) {
        return endpoint.serve(http, body, model, Optional.empty(), style);
    }

    /** {@code curl -T image.jpg}: TorchServe takes PUT as POST. */
    @PUT
    @Path("predictions/{model}")
    public CompletionStage<Response> put(@PathParam("model") String model, InputStream body, @Context HttpServletRequest http) {
        return predict(model, body, http);
    }

    @PUT
    @Path("predictions/{model}/{version}")
    public CompletionStage<Response> putVersion(@PathParam("model") String model, @PathParam("version") String version, InputStream body,
                                                 @Context HttpServletRequest http) {
        return predictVersion(model, version, body, http);
    }

    @POST
    @Path("predictions/{model}/{version}")
    public CompletionStage<Response> predictVersion(@PathParam("model") String model, @PathParam("version") String version,
                                                    InputStream body, @Context HttpServletRequest http) {
        return endpoint.serve(http, body, model, Optional.of(version), style);
    }
}
