package dev.seraphim.api.oip;

import dev.seraphim.api.ApiError.BadRequestException;
import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.inference.InferenceRequest;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An OIP v2 inference request body, read once: inputs decoded into tensors, the optional id and the optional
 * output selection (empty means every output).
 */
public record OipInferRequest(Optional<String> id, InferenceRequest request, Set<String> requestedOutputs) {

    /** {@code signature} names the model's inputs, so that a wrong datatype is refused before any data is parsed. */
    static OipInferRequest parse(byte[] body, String model, Optional<String> version, Function<String, Optional<TensorSpec>> signature,
                                 dev.seraphim.api.codec.TensorLimits limits) {
        Map<String, Object> root = JsonDocument.parseObject(body);
        Optional<String> id = Optional.ofNullable(root.get("id")).map(v -> {
            if (!(v instanceof String s)) {
                throw new BadRequestException("'id' must be a string");
            }
            return s;
        });
        Object inputsValue = root.get("inputs");
        if (!(inputsValue instanceof List<?> inputs) || inputs.isEmpty()) {
            throw new BadRequestException("'inputs' must be a non-empty array of tensors");
        }
        List<TensorData> tensors = tensors(inputs, signature, limits);
        Set<String> outputs = new LinkedHashSet<>();
        Object outputsValue = root.get("outputs");
        if (outputsValue != null) {
            if (!(outputsValue instanceof List<?> list)) {
                throw new BadRequestException("'outputs' must be an array of {\"name\": ...}");
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)) {
                    throw new BadRequestException("each requested output must be an object with a string 'name'");
                }
                if (m.get("parameters") instanceof Map<?, ?> p && Boolean.TRUE.equals(p.get("binary_data"))) {
                    throw new BadRequestException("binary output data is not supported yet; leave out 'binary_data'");
                }
                outputs.add(name);
            }
        }
        return new OipInferRequest(id, new InferenceRequest(model, version, tensors), outputs);
    }

    /** OIP input tensors ({"name", "datatype", "shape", "data"} objects) decoded and checked against the signature. */
    public static List<TensorData> tensors(List<?> inputs, Function<String, Optional<TensorSpec>> signature,
                                           dev.seraphim.api.codec.TensorLimits limits) {
        List<TensorData> tensors = new ArrayList<>(inputs.size());
        for (Object input : inputs) {
            tensors.add(tensor(input, signature, limits));
        }
        return tensors;
    }

    private static TensorData tensor(Object value, Function<String, Optional<TensorSpec>> signature, dev.seraphim.api.codec.TensorLimits limits) {
        if (!(value instanceof Map<?, ?> input)) {
            throw new BadRequestException("each input must be an object with name, shape, datatype and data");
        }
        if (!(input.get("name") instanceof String name) || name.isEmpty()) {
            throw new BadRequestException("each input needs a string 'name'");
        }
        if (!(input.get("datatype") instanceof String datatype)) {
            throw new BadRequestException("input '" + name + "' needs a string 'datatype'");
        }
        if ("BYTES".equals(datatype)) {
            throw new BadRequestException("input '" + name + "': datatype BYTES is not supported by this server; "
                    + "send numeric tensors (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64)");
        }
        DataType type = DataType.byName(datatype).orElseThrow(() -> new BadRequestException("input '" + name
                + "': unknown datatype '" + datatype + "'; use one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64"));
        signature.apply(name).filter(spec -> spec.dataType() != type).ifPresent(spec -> {
            throw new InvalidTensorException("input '" + name + "' must be " + spec.dataType() + ", got " + type);
        });
        if (!(input.get("shape") instanceof NumericArray shapeArray)) {
            throw new BadRequestException("input '" + name + "' needs 'shape', an array of integers");
        }
        long[] shape = shapeArray.toLongs("shape");
        for (long d : shape) {
            if (d < 0) {
                throw new BadRequestException("input '" + name + "': shape dimensions must not be negative");
            }
        }
        if (input.get("parameters") instanceof Map<?, ?> p && p.containsKey("binary_data_size")) {
            throw new BadRequestException("input '" + name + "': binary tensor data is not supported yet; send 'data' as JSON");
        }
        Object data = input.get("data");
        if (data == null) {
            throw new BadRequestException("input '" + name + "' needs 'data'");
        }
        if (!(data instanceof NumericArray array)) {
            throw new BadRequestException("input '" + name + "': 'data' must be an array of numbers (flat or nested)");
        }
        return TensorDecoder.decode(name, array, type, shape, limits);
    }
}
