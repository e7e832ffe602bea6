package dev.seraphim.api.oip;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.InferenceEndpoint;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
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
 * The Open Inference Protocol v2 REST inference (KServe's inference_rest.md): JSON and Triton's binary tensor
 * extension ({@link OipInference}), through the one endpoint template.
 */
@ErrorShape(ErrorStyle.OIP)
@Path("v2/models/{model}")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {
    @Inject
    InferenceEndpoint endpoint;

    @Inject
    ApiLimits limits;

    private OipInference style;

    @PostConstruct
    void init() {
        style = new OipInference(limits.tensors());
    }

    @POST
    @Path("infer")
    public CompletionStage<Response> infer(@PathParam("model") String model, InputStream body, @Context HttpServletRequest http) {
        return endpoint.serve(http, body, model, Optional.empty(), style);
    }

    @POST
    @Path("versions/{version}/infer")
    public CompletionStage<Response> inferVersion(@PathParam("model") String model, @PathParam("version") String version,
                                                  InputStream body, @Context HttpServletRequest http) {
        return endpoint.serve(http, body, model, Optional.of(version), style);
    }
}
