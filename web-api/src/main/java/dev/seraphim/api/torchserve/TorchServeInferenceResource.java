package dev.seraphim.api.torchserve;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.ApiErrorMapper;
import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.api.metrics.RequestMetrics;
import dev.seraphim.inference.InferenceRequest;
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

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * TorchServe's inference API: GET /ping and POST /predictions/{model}[/{version}]. TorchScript models here take
 * JSON tensors: the body is a nested array (a model with one input) or an object of input name to nested array;
 * the answer is the output as a nested array (one output) or an object of output name to nested array.
 */
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TorchServeInferenceResource {
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
    @Path("ping")
    public Response ping() {
        boolean healthy = engine.allReady();
        // TorchServe's own word for a server some of whose models cannot answer unversioned requests
        String status = !healthy ? "Unhealthy" : engine.withoutDefault().isEmpty() ? "Healthy" : "Partial Healthy";
        return Response.status(healthy ? 200 : 500).entity(TorchServeManagementResource.status(status)).build();
    }

    @POST
    @Path("predictions/{model}")
    public CompletionStage<Response> predict(@PathParam("model") String model, InputStream body) {
        return run(model, Optional.empty(), body);
    }

    @POST
    @Path("predictions/{model}/{version}")
    public CompletionStage<Response> predictVersion(@PathParam("model") String model, @PathParam("version") String version,
                                                    InputStream body) {
        return run(model, Optional.of(version), body);
    }

    private CompletionStage<Response> run(String model, Optional<String> version, InputStream in) {
        long start = System.nanoTime();
        dev.seraphim.api.RequestOrigin origin = dev.seraphim.api.RequestIds.origin(http);
        String path = "predictions/" + model;
        try {
            ServedModel served = access.find(model, version);
            byte[] body = RequestBody.read(in, http.getContentLengthLong(), limits.maxBodyBytes());
            Object doc;
            try {
                doc = JsonDocument.parse(body);
            } catch (RuntimeException e) {
                throw new ApiError.BadRequestException("this server's TorchScript models take JSON tensors: send a nested array of "
                        + "numbers, or an object of input name to nested array (" + e.getMessage() + ")");
            }
            List<TensorData> inputs = new ArrayList<>();
            List<TensorSpec> specs = served.descriptor().inputs();
            if (doc instanceof NumericArray array && specs.size() == 1) {
                inputs.add(TensorDecoder.decode(specs.get(0).name(), array, specs.get(0).dataType(), null, limits.tensors()));
            } else if (doc instanceof Map<?, ?> named) {
                for (TensorSpec spec : specs) {
                    if (!(named.get(spec.name()) instanceof NumericArray array)) {
                        throw new ApiError.BadRequestException("input '" + spec.name() + "' must be a nested array of numbers");
                    }
                    inputs.add(TensorDecoder.decode(spec.name(), array, spec.dataType(), null, limits.tensors()));
                }
            } else {
                throw new ApiError.BadRequestException("send a nested array of numbers"
                        + (specs.size() > 1 ? ", as an object of input name to nested array" : ""));
            }
            byte[] audited = metrics.bodyForAudit(model, body);
            return access.infer(new InferenceRequest(model, version, inputs)).handle((result, failure) -> {
                if (failure != null) {
                    return fail(failure, origin, model, version, path, start);
                }
                JsonOutput json = new JsonOutput();
                if (result.outputs().size() == 1) {
                    json.nestedData(result.outputs().get(0));
                } else {
                    json.raw("{");
                    for (int i = 0; i < result.outputs().size(); i++) {
                        json.raw(i > 0 ? "," : "").string(result.outputs().get(i).name()).raw(":").nestedData(result.outputs().get(i));
                    }
                    json.raw("}");
                }
                byte[] out = json.toByteArray();
                metrics.record("torchserve", origin, model, result.version(), "success", 200, result, start, audited, out);
                return Response.ok(out).build();
            });
        } catch (Exception e) {
            return CompletableFuture.completedFuture(fail(e, origin, model, version, path, start));
        }
    }

    private Response fail(Throwable failure, dev.seraphim.api.RequestOrigin origin, String model, Optional<String> version, String path, long start) {
        ApiError error = ApiError.of(failure);
        metrics.record("torchserve", origin, model, version.orElse(null), error.outcome(), error.status(), start);
        return ApiErrorMapper.render(error, path);
    }
}
