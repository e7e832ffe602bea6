package dev.seraphim.api.kserve;

import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.api.codec.TensorLimits;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.Answer;
import dev.seraphim.api.inference.InferenceStyle;
import dev.seraphim.api.inference.Instances;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.handler.Instance;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * KServe's V1 protocol (TF-Serving's REST predict): {@code {"instances": [...]}} in, {@code {"predictions": [...]}} out,
 * one prediction per instance. Instances are rows of the model's one input tensor (nested arrays), or, for a model
 * with a handler, images ({@code {"b64": ...}} or a base64 string), texts (strings) or records (objects).
 */
final class V1Inference implements InferenceStyle<Map<String, Object>> {
    private final TensorLimits limits;

    V1Inference(TensorLimits limits) {
        this.limits = limits;
    }

    @Override
    public String api() {
        return "kserve-v1";
    }

    @Override
    public ErrorStyle errors() {
        return ErrorStyle.OIP;
    }

    @Override
    public Map<String, Object> parse(byte[] body, Map<String, String> headers) {
        return JsonDocument.parseObject(body, Math.max(body.length, 1));
    }

    @Override
    public Decoded decode(Map<String, Object> root, ModelDescriptor signature) {
        Object instances = root.containsKey("instances") ? root.get("instances") : root.get("inputs");
        if (instances instanceof NumericArray rows && signature.inputs().size() == 1) {
            TensorSpec spec = signature.inputs().get(0);
            return new Decoded(List.of(TensorDecoder.decode(spec.name(), rows, spec.dataType(), null, limits)));
        }
        if (!(instances instanceof List<?> list) || list.isEmpty()) {
            throw new ApiError.BadRequestException("the body must be {\"instances\": [...]}, a non-empty list with one instance per prediction");
        }
        Handler handler = Instances.handler(signature, "images, text or records (send each instance as a row of its input tensor,"
                + " or use the Open Inference Protocol for a model of several inputs)");
        List<Instance> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object v = list.get(i);
            // {"image": {"b64": ...}} and {"data": "..."}: KServe's examples name the one field of an instance
            if (v instanceof Map<?, ?> m && m.size() == 1 && !m.containsKey("b64") && !handler.what().equals("record")) {
                v = m.values().iterator().next();
            }
            out.add(Instances.of(v, "instance " + i));
        }
        return new Decoded(handler.tensors(out, signature.inputs()));
    }

    @Override
    public Answer encode(InferenceResult result, Map<String, Object> root, ModelDescriptor signature) {
        if (signature.handler().isPresent() && !(root.get("instances") instanceof NumericArray) && !(root.get("inputs") instanceof NumericArray)) {
            jakarta.json.JsonArrayBuilder predictions = jakarta.json.Json.createArrayBuilder();
            signature.handler().get().answers(result.outputs().get(0)).forEach(predictions::add);
            return Answer.json(jakarta.json.Json.createObjectBuilder().add("predictions", predictions).build().toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        // the first output's rows: TF-Serving's predictions for a model of one output
        return Answer.json(new JsonOutput().raw("{\"predictions\":").nestedData(result.outputs().get(0)).raw("}").toByteArray());
    }
}
