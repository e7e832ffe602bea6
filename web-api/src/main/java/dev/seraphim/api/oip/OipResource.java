package dev.seraphim.api.oip;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.InferenceEndpoint;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ModelTarget;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The Open Inference Protocol v2 REST API (KServe), as specified in open-inference-protocol inference_rest.md. */
@ErrorShape(ErrorStyle.OIP)
@Path("v2")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {
    static final String PLATFORM = "pytorch_torchscript";

    @Inject
    ModelAccess access;

    @Inject
    InferenceEndpoint endpoint;

    @Inject
    InferenceEngine engine;

    @Inject
    ApiLimits limits;

    @Context
    HttpServletRequest http;

    private OipInference style;

    @PostConstruct
    void init() {
        style = new OipInference(limits.tensors());
    }

    @GET
    public Response serverMetadata() {
        return Response.ok(Json.createObjectBuilder().add("name", "seraphim").add("version", Version.SERVER)
                .add("extensions", Json.createArrayBuilder().add("binary_tensor_data")).build().toString()).build();
    }

    @GET
    @Path("health/live")
    public Response live() {
        return Response.ok().build();
    }

    /** Ready when every model of the store is loaded; the protocol answers false with a 4xx and no body. */
    @GET
    @Path("health/ready")
    public Response ready() {
        return engine.allReady() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }

    @GET
    @Path("models/{model}")
    public Response modelMetadata(@PathParam("model") String model) {
        return metadata(access.resolve(model, Optional.empty()));
    }

    @GET
    @Path("models/{model}/versions/{version}")
    public Response versionMetadata(@PathParam("model") String model, @PathParam("version") String version) {
        return metadata(access.resolve(model, Optional.of(version)));
    }

    @GET
    @Path("models/{model}/ready")
    public Response modelReady(@PathParam("model") String model) {
        return readiness(access.resolve(model, Optional.empty()));
    }

    @GET
    @Path("models/{model}/versions/{version}/ready")
    public Response versionReady(@PathParam("model") String model, @PathParam("version") String version) {
        return readiness(access.resolve(model, Optional.of(version)));
    }

    @POST
    @Path("models/{model}/infer")
    public CompletionStage<Response> infer(@PathParam("model") String model, InputStream body) {
        return endpoint.serve(http, body, model, Optional.empty(), style);
    }

    @POST
    @Path("models/{model}/versions/{version}/infer")
    public CompletionStage<Response> inferVersion(@PathParam("model") String model, @PathParam("version") String version,
                                                  InputStream body) {
        return endpoint.serve(http, body, model, Optional.of(version), style);
    }

    private Response metadata(ModelTarget target) {
        JsonArrayBuilder versions = Json.createArrayBuilder();
        access.loadedVersions(target.name()).forEach(versions::add);
        return Response.ok(Json.createObjectBuilder().add("name", target.name()).add("versions", versions).add("platform", PLATFORM)
                .add("inputs", specs(target.descriptor().inputs())).add("outputs", specs(target.descriptor().outputs()))
                .build().toString()).build();
    }

    private static JsonArrayBuilder specs(List<TensorSpec> specs) {
        JsonArrayBuilder out = Json.createArrayBuilder();
        for (TensorSpec s : specs) {
            JsonArrayBuilder shape = Json.createArrayBuilder();
            for (long d : s.shape()) {
                shape.add(d);
            }
            out.add(Json.createObjectBuilder().add("name", s.name()).add("datatype", s.dataType().name()).add("shape", shape));
        }
        return out;
    }

    private static Response readiness(ModelTarget target) {
        return target.ready() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }
}
