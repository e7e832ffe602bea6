package dev.seraphim.api.torchserve;

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
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TorchServe's predictions body: for a model with an image_classifier handler, the image itself, answered with its
 * top classes ({"label": probability}); otherwise JSON tensors, a nested array (a model with one input) or an object
 * of input name to nested array, answered with the output as a nested array (one output) or an object of output
 * name to nested array.
 */
final class TorchServeInference implements InferenceStyle<byte[]> {
    private final TensorLimits limits;

    TorchServeInference(TensorLimits limits) {
        this.limits = limits;
    }

    @Override
    public String api() {
        return "torchserve";
    }

    @Override
    public ErrorStyle errors() {
        return ErrorStyle.TORCHSERVE;
    }

    /** The body as it came: an image for a model with an image handler, else JSON tensors (read in {@link #decode}). */
    @Override
    public byte[] parse(byte[] body, Map<String, String> headers) {
        return body;
    }

    @Override
    public Decoded decode(byte[] body, ModelDescriptor signature) {
        if (signature.handler().isPresent() && !looksLikeJson(body)) {
            return new Decoded(List.of(signature.handler().get().tensor(signature.inputs().get(0).name(), body)));
        }
        Object doc;
        try {
            doc = JsonDocument.parse(body);
        } catch (RuntimeException e) {
            throw new ApiError.BadRequestException("this model takes JSON tensors: send a nested array of numbers, or an object of"
                    + " input name to nested array (" + e.getMessage() + ")" + (signature.handler().isPresent() ? "" : "; models"
                    + " registered with an image_classifier handler take the image itself (docs/handlers.md)"));
        }
        List<TensorData> inputs = new ArrayList<>();
        List<TensorSpec> specs = signature.inputs();
        if (doc instanceof NumericArray array && specs.size() == 1) {
            inputs.add(TensorDecoder.decode(specs.get(0).name(), array, specs.get(0).dataType(), null, limits));
        } else if (doc instanceof Map<?, ?> named) {
            for (TensorSpec spec : specs) {
                if (!(named.get(spec.name()) instanceof NumericArray array)) {
                    throw new ApiError.BadRequestException("input '" + spec.name() + "' must be a nested array of numbers");
                }
                inputs.add(TensorDecoder.decode(spec.name(), array, spec.dataType(), null, limits));
            }
        } else {
            throw new ApiError.BadRequestException("send a nested array of numbers"
                    + (specs.size() > 1 ? ", as an object of input name to nested array" : ""));
        }
        return new Decoded(inputs);
    }

    @Override
    public Answer encode(InferenceResult result, byte[] body, ModelDescriptor signature) {
        if (signature.handler().isPresent() && !looksLikeJson(body)) {
            // TorchServe's image classifier: {"label": probability, ...}, most probable first
            jakarta.json.JsonObjectBuilder top = jakarta.json.Json.createObjectBuilder();
            TensorData scores = result.outputs().get(0);
            float[] row = new float[(int) scores.shape()[scores.shape().length - 1]];
            scores.data().duplicate().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(row);
            signature.handler().get().classification().top(row).forEach((label, p) -> top.add(label, p));
            return Answer.json(top.build().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
        return Answer.json(json.toByteArray());
    }

    /** A JSON tensor body starts with '[' or '{' after blanks; no image format does. */
    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == '[' || b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return false;
    }
}
