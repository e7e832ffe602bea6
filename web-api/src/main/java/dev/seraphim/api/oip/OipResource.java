package dev.seraphim.api.oip;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.codec.JsonOutput;
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
        JsonOutput json = new JsonOutput().raw("{\"name\":").string("seraphim")
                .raw(",\"version\":").string(Version.SERVER).raw(",\"extensions\":[\"binary_tensor_data\"]}");
        return Response.ok(json.toByteArray()).build();
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
        JsonOutput json = new JsonOutput().raw("{\"name\":").string(target.name()).raw(",\"versions\":[");
        List<String> versions = access.loadedVersions(target.name());
        for (int i = 0; i < versions.size(); i++) {
            json.raw(i > 0 ? "," : "").string(versions.get(i));
        }
        json.raw("]").raw(",\"platform\":").string(PLATFORM).raw(",\"inputs\":");
        specs(json, target.descriptor().inputs());
        json.raw(",\"outputs\":");
        specs(json, target.descriptor().outputs());
        return Response.ok(json.raw("}").toByteArray()).build();
    }

    private static void specs(JsonOutput json, List<TensorSpec> specs) {
        json.raw("[");
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            json.raw(i > 0 ? ",{" : "{").raw("\"name\":").string(s.name()).raw(",\"datatype\":").string(s.dataType().name())
                    .raw(",\"shape\":").shape(s.shape()).raw("}");
        }
        json.raw("]");
    }

    private static Response readiness(ModelTarget target) {
        return target.ready() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }
}
