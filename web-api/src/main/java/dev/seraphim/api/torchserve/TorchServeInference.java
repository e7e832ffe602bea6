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
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TorchServe's predictions body for TorchScript models here: a nested array (a model with one input) or an object
 * of input name to nested array; the answer is the output as a nested array (one output) or an object of output
 * name to nested array.
 */
final class TorchServeInference implements InferenceStyle<Object> {
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

    @Override
    public Object parse(byte[] body, HttpServletRequest http) {
        try {
            return JsonDocument.parse(body);
        } catch (RuntimeException e) {
            throw new ApiError.BadRequestException("this server's TorchScript models take JSON tensors: send a nested array of "
                    + "numbers, or an object of input name to nested array (" + e.getMessage() + ")");
        }
    }

    @Override
    public Decoded decode(Object doc, ModelDescriptor signature) {
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
    public Answer encode(InferenceResult result, Object doc) {
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
}
