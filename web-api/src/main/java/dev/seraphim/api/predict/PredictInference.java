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
    private final TensorLimits limits;

    PredictInference(TensorLimits limits) {
        this.limits = limits;
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
        return JsonDocument.parseObject(body);
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

    @Override
    public Answer encode(InferenceResult result, Map<String, Object> root, ModelDescriptor signature) {
        JsonOutput json = new JsonOutput().raw("{\"model\":").string(result.model())
                .raw(",\"version\":").string(result.version()).raw(",\"outputs\":{");
        for (int i = 0; i < result.outputs().size(); i++) {
            TensorData out = result.outputs().get(i);
            json.raw(i > 0 ? "," : "").string(out.name()).raw(":").nestedData(out);
        }
        return Answer.json(json.raw("}}").toByteArray());
    }
}
