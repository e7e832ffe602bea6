package dev.seraphim.api.predict;

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
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.engine.ServedModel;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seed runbooks' simple JSON predict: inputs by name as nested arrays (shape from the nesting, datatype
 * from the model's signature), outputs by name as nested arrays.
 */
@Path("api/v1/predict")
@ApplicationScoped
public class PredictResource {
    private static final String PATH = "/api/v1/predict";

    @Inject
    dev.seraphim.api.security.ModelAccess access;


    @Inject
    RequestMetrics metrics;

    @Inject
    ApiLimits limits;

    @Context
    HttpServletRequest http;

    @POST
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public CompletionStage<Response> predict(InputStream in) {
        long start = System.nanoTime();
        dev.seraphim.api.RequestOrigin origin = dev.seraphim.api.RequestIds.origin(http);
        String[] model = {null};
        Optional<String>[] version = new Optional[]{Optional.empty()};
        try {
            byte[] body = RequestBody.read(in, http.getContentLengthLong(), limits.maxBodyBytes());
            Map<String, Object> root = JsonDocument.parseObject(body);
            if (!(root.get("model") instanceof String name) || name.isEmpty()) {
                throw new ApiError.BadRequestException("'model' must name the model to run");
            }
            model[0] = name;
            Object v = root.get("version");
            if (v != null && !(v instanceof String)) {
                throw new ApiError.BadRequestException("'version' must be a string");
            }
            version[0] = Optional.ofNullable((String) v);
            ServedModel served = access.find(name, version[0]);
            if (!(root.get("inputs") instanceof Map<?, ?> inputs) || inputs.isEmpty()) {
                throw new ApiError.BadRequestException("'inputs' must be an object of input name to nested array, e.g. {\""
                        + served.descriptor().inputs().get(0).name() + "\": [[...]]}");
            }
            List<TensorData> tensors = new ArrayList<>();
            for (Map.Entry<?, ?> e : inputs.entrySet()) {
                String inputName = (String) e.getKey();
                TensorSpec spec = served.descriptor().input(inputName).orElseThrow(() -> new ApiError.BadRequestException(
                        "model " + name + " has no input '" + inputName + "'; its inputs are "
                                + served.descriptor().inputs().stream().map(TensorSpec::name).toList()));
                if (!(e.getValue() instanceof NumericArray array)) {
                    throw new ApiError.BadRequestException("input '" + inputName + "' must be a nested array of numbers");
                }
                tensors.add(TensorDecoder.decode(inputName, array, spec.dataType(), null, limits.tensors()));
            }
            byte[] audited = metrics.bodyForAudit(name, body);
            return access.infer(new InferenceRequest(name, version[0], tensors)).handle((result, failure) -> {
                if (failure != null) {
                    return fail(failure, origin, model[0], version[0], start);
                }
                byte[] out = response(result);
                metrics.record("predict", origin, name, result.version(), "success", 200, result, start, audited, out);
                return Response.ok(out).type(MediaType.APPLICATION_JSON_TYPE).build();
            });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(fail(e, origin, model[0], version[0], start));
        }
    }

    private Response fail(Throwable failure, dev.seraphim.api.RequestOrigin origin, String model, Optional<String> version, long start) {
        ApiError error = ApiError.of(failure);
        metrics.record("predict", origin, model, version.orElse(null), error.outcome(), error.status(), start);
        return ApiErrorMapper.render(error, PATH);
    }

    private static byte[] response(InferenceResult result) {
        JsonOutput json = new JsonOutput().raw("{\"model\":").string(result.model())
                .raw(",\"version\":").string(result.version()).raw(",\"outputs\":{");
        for (int i = 0; i < result.outputs().size(); i++) {
            TensorData out = result.outputs().get(i);
            json.raw(i > 0 ? "," : "").string(out.name()).raw(":").nestedData(out);
        }
        return json.raw("}}").toByteArray();
    }
}
