package dev.seraphim.api.oip;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.api.metrics.RequestMetrics;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.engine.InferenceEngine;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
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

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The Open Inference Protocol v2 REST API (KServe), as specified in open-inference-protocol inference_rest.md. */
@Path("v2")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {
    static final String PLATFORM = "pytorch_torchscript";

    @Inject
    dev.seraphim.api.security.ModelAccess access;

    @Inject
    InferenceEngine engine;

    @Inject
    RequestMetrics metrics;

    @Inject
    ApiLimits limits;

    @Context
    HttpServletRequest http;

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
        return metadata(access.find(model, Optional.empty()));
    }

    @GET
    @Path("models/{model}/versions/{version}")
    public Response versionMetadata(@PathParam("model") String model, @PathParam("version") String version) {
        return metadata(access.find(model, Optional.of(version)));
    }

    @GET
    @Path("models/{model}/ready")
    public Response modelReady(@PathParam("model") String model) {
        return readiness(access.find(model, Optional.empty()));
    }

    @GET
    @Path("models/{model}/versions/{version}/ready")
    public Response versionReady(@PathParam("model") String model, @PathParam("version") String version) {
        return readiness(access.find(model, Optional.of(version)));
    }

    @POST
    @Path("models/{model}/infer")
    public CompletionStage<Response> infer(@PathParam("model") String model, InputStream body) throws IOException {
        return run(model, Optional.empty(), body);
    }

    @POST
    @Path("models/{model}/versions/{version}/infer")
    public CompletionStage<Response> inferVersion(@PathParam("model") String model, @PathParam("version") String version,
                                                  InputStream body) throws IOException {
        return run(model, Optional.of(version), body);
    }

    private CompletionStage<Response> run(String model, Optional<String> version, InputStream in) {
        long start = System.nanoTime();
        dev.seraphim.api.RequestOrigin origin = dev.seraphim.api.RequestIds.origin(http);
        String path = "/v2/models/" + model + "/infer";
        try {
            byte[] body = RequestBody.read(in, http.getContentLengthLong(), limits.maxBodyBytes());
            ServedModel served = access.find(model, version);
            OipInferRequest request = OipInferRequest.parse(body, headerLength(), model, version, served.descriptor()::input, limits.tensors());
            for (String output : request.requestedOutputs()) {
                if (served.descriptor().output(output).isEmpty()) {
                    throw new ApiError.BadRequestException("model " + model + " has no output '" + output + "'; its outputs are "
                            + served.descriptor().outputs().stream().map(TensorSpec::name).toList());
                }
            }
            byte[] audited = metrics.bodyForAudit(model, body);
            return access.infer(request.request()).handle((result, failure) -> {
                if (failure != null) {
                    return fail(failure, origin, model, version, path, start);
                }
                InferResponse out = response(result, request);
                metrics.record("oip", origin, model, result.version(), "success", 200, result, start, audited, out.body());
                Response.ResponseBuilder ok = Response.ok(out.body());
                if (out.jsonLength() < out.body().length) {
                    ok.type(MediaType.APPLICATION_OCTET_STREAM).header(BINARY_HEADER, out.jsonLength());
                }
                return ok.build();
            });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(fail(e, origin, model, version, path, start));
        }
    }

    private Response fail(Throwable failure, dev.seraphim.api.RequestOrigin origin, String model, Optional<String> version, String path, long start) {
        ApiError error = ApiError.of(failure);
        metrics.record("oip", origin, model, version.orElse(null), error.outcome(), error.status(), start);
        return dev.seraphim.api.ApiErrorMapper.render(error, path);
    }

    /** The response body, and how many of its bytes are JSON (all of them unless outputs go back as binary). */
    private record InferResponse(byte[] body, int jsonLength) {
    }

    private static InferResponse response(InferenceResult result, OipInferRequest request) {
        JsonOutput json = new JsonOutput().raw("{\"model_name\":").string(result.model())
                .raw(",\"model_version\":").string(result.version());
        request.id().ifPresent(id -> json.raw(",\"id\":").string(id));
        json.raw(",\"outputs\":[");
        boolean first = true;
        List<TensorData> binary = new java.util.ArrayList<>();
        for (TensorData out : result.outputs()) {
            if (!request.requestedOutputs().isEmpty() && !request.requestedOutputs().contains(out.name())) {
                continue;
            }
            if (!first) {
                json.raw(",");
            }
            first = false;
            json.raw("{\"name\":").string(out.name()).raw(",\"datatype\":").string(out.dataType().name())
                    .raw(",\"shape\":").shape(out.shape());
            if (request.binary(out.name())) {
                json.raw(",\"parameters\":{\"binary_data_size\":" + out.data().remaining() + "}}");
                binary.add(out);
            } else {
                json.raw(",\"data\":").flatData(out).raw("}");
            }
        }
        json.raw("]}");
        int jsonLength = json.length();
        for (TensorData out : binary) {
            json.littleEndian(out);
        }
        return new InferResponse(json.toByteArray(), jsonLength);
    }

    /** The binary tensor data extension's header: the length of the JSON part of a request or response body. */
    static final String BINARY_HEADER = "Inference-Header-Content-Length";

    private java.util.OptionalInt headerLength() {
        String value = http.getHeader(BINARY_HEADER);
        if (value == null) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new ApiError.BadRequestException(BINARY_HEADER + " must be the byte length of the JSON part of the body, not '"
                    + value.replaceAll("[^0-9A-Za-z -]", "?") + "'");
        }
    }

    private Response metadata(ServedModel served) {
        JsonOutput json = new JsonOutput().raw("{\"name\":").string(served.name()).raw(",\"versions\":[");
        List<String> versions = engine.all().stream().filter(m -> m.name().equals(served.name())).map(ServedModel::version).sorted().toList();
        for (int i = 0; i < versions.size(); i++) {
            json.raw(i > 0 ? "," : "").string(versions.get(i));
        }
        json.raw("]")
                .raw(",\"platform\":").string(PLATFORM)
                .raw(",\"inputs\":");
        specs(json, served.descriptor().inputs());
        json.raw(",\"outputs\":");
        specs(json, served.descriptor().outputs());
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

    private static Response readiness(ServedModel served) {
        return served.ready() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }

}
