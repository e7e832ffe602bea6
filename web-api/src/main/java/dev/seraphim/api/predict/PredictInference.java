package dev.seraphim.api.predict;

import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.api.codec.TensorLimits;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.Answer;
import dev.seraphim.api.inference.InferenceStyle;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The seed runbooks' simple JSON predict: the body names the model, inputs by name as nested arrays (shape from
 * the nesting, datatype from the model's signature), outputs by name as nested arrays.
 */
final class PredictInference implements InferenceStyle<Map<String, Object>> {
    private static final java.util.Set<String> HANDLED = java.util.Set.of("image", "image_url", "text", "features");

    private final TensorLimits limits;
    private final java.util.function.Function<String, byte[]> imageUrls;

    PredictInference(TensorLimits limits, java.util.function.Function<String, byte[]> imageUrls) {
        this.limits = limits;
        this.imageUrls = imageUrls;
    }

    @Override
    public String api() {
        return "predict";
    }

    @Override
    public ErrorStyle errors() {
        return ErrorStyle.PROBLEM;
    }

    @Override
    public Map<String, Object> parse(byte[] body, Map<String, String> headers) {
        // strings as long as the body: "input": {"image": "<base64>"} and {"text": "..."}
        return JsonDocument.parseObject(body, Math.max(body.length, 1));
    }

    @Override
    public ModelRef model(Map<String, Object> root) {
        if (!(root.get("model") instanceof String name) || name.isEmpty()) {
            throw new ApiError.BadRequestException("'model' must name the model to run");
        }
        Object v = root.get("version");
        if (v != null && !(v instanceof String)) {
            throw new ApiError.BadRequestException("'version' must be a string");
        }
        return ModelRef.of(name, Optional.ofNullable((String) v));
    }

    @Override
    public Decoded decode(Map<String, Object> root, ModelDescriptor signature) {
        if (root.containsKey("input")) {
            return new Decoded(handled(root.get("input"), signature));
        }
        if (!(root.get("inputs") instanceof Map<?, ?> inputs) || inputs.isEmpty()) {
            throw new ApiError.BadRequestException("'inputs' must be an object of input name to nested array, e.g. {\""
                    + signature.inputs().get(0).name() + "\": [[...]]}");
        }
        List<TensorData> tensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : inputs.entrySet()) {
            String inputName = (String) e.getKey();
            TensorSpec spec = signature.input(inputName).orElseThrow(() -> new ApiError.BadRequestException(
                    "model " + signature.name() + " has no input '" + inputName + "'; its inputs are "
                            + signature.inputs().stream().map(TensorSpec::name).toList()));
            if (!(e.getValue() instanceof NumericArray array)) {
                throw new ApiError.BadRequestException("input '" + inputName + "' must be a nested array of numbers");
            }
            tensors.add(TensorDecoder.decode(inputName, array, spec.dataType(), null, limits));
        }
        return new Decoded(tensors);
    }

    /** {@code "input": {"image" | "image_url" | "text" | "features": ...}} for a model with a handler. */
    private List<TensorData> handled(Object input, ModelDescriptor signature) {
        if (!(input instanceof Map<?, ?> in) || in.size() != 1 || !HANDLED.contains(in.keySet().iterator().next())) {
            throw new ApiError.BadRequestException("'input' must be one of {\"image\": \"<base64>\"}, {\"image_url\": \"...\"}, {\"text\": \"...\"}"
                    + " or {\"features\": {\"name\": value, ...}}; tensors go in 'inputs'");
        }
        String kind = (String) in.keySet().iterator().next();
        Object value = in.get(kind);
        dev.seraphim.inference.handler.Handler handler = dev.seraphim.api.inference.Instances.handler(signature, "input." + kind);
        String wanted = kind.equals("image_url") ? "image" : kind.equals("features") ? "record" : kind;
        if (!handler.what().equals(wanted)) {
            throw new ApiError.BadRequestException("model " + signature.name() + " takes " + handler.what() + ", not input." + kind);
        }
        dev.seraphim.inference.handler.Instance instance;
        if (kind.equals("image_url")) {
            if (!(value instanceof String url)) {
                throw new ApiError.BadRequestException("input.image_url must be a string");
            }
            instance = new dev.seraphim.inference.handler.Instance.Encoded(imageUrls.apply(url));
        } else if (kind.equals("features") != value instanceof Map) {
            throw new ApiError.BadRequestException("input." + kind + (kind.equals("features") ? " must be an object of feature name to value"
                    : " must be a string"));
        } else {
            instance = dev.seraphim.api.inference.Instances.of(value, "input." + kind);
        }
        return handler.tensors(List.of(instance), signature.inputs());
    }

    @Override
    public Answer encode(InferenceResult result, Map<String, Object> root, ModelDescriptor signature) {
        if (root.containsKey("input")) {
            jakarta.json.JsonValue prediction = signature.handler().get().answers(result.outputs().get(0)).get(0);
            return Answer.json(new JsonOutput().raw("{\"model\":").string(result.model()).raw(",\"version\":").string(result.version())
                    .raw(",\"prediction\":" + prediction + "}").toByteArray());
        }
        JsonOutput json = new JsonOutput().raw("{\"model\":").string(result.model())
                .raw(",\"version\":").string(result.version()).raw(",\"outputs\":{");
        for (int i = 0; i < result.outputs().size(); i++) {
            TensorData out = result.outputs().get(i);
            json.raw(i > 0 ? "," : "").string(out.name()).raw(":").nestedData(out);
        }
        return Answer.json(json.raw("}}").toByteArray());
    }
}
