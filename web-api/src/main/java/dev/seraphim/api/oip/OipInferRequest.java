package dev.seraphim.api.oip;

import dev.seraphim.api.errors.ApiError.BadRequestException;
import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.api.codec.TensorLimits;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.Shape;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * An OIP v2 inference request body, read once: inputs decoded into tensors, the optional id, the optional
 * output selection (empty means every output) and which outputs go back as binary data. With the binary tensor
 * data extension ({@code Inference-Header-Content-Length}), the JSON header is followed by the raw little-endian
 * bytes of the inputs that declare {@code binary_data_size}, in input order; each is copied once into the
 * buffer libtorch reads.
 */
public record OipInferRequest(Optional<String> id, List<?> rawInputs, BinarySection binary, Set<String> requestedOutputs,
                              Set<String> binaryOutputs, Set<String> jsonOutputs, boolean allOutputsBinary) {

    /**
     * Whether an output is returned as binary data: its own {@code binary_data} decides where it gives one (false
     * overrides a request-level {@code binary_data_output: true}, as Triton's extension says), else
     * {@code binary_data_output}.
     */
    public boolean binary(String output) {
        return binaryOutputs.contains(output) || (allOutputsBinary && !jsonOutputs.contains(output));
    }

    static OipInferRequest parse(byte[] body, OptionalInt headerLength) {
        int jsonEnd = headerLength.orElse(body.length);
        if (jsonEnd < 0 || jsonEnd > body.length) {
            throw new BadRequestException("Inference-Header-Content-Length is " + jsonEnd + " but the body has " + body.length + " bytes");
        }
        Map<String, Object> root;
        try {
            // strings as long as the JSON part: BYTES inputs carry text and base64 images
            root = JsonDocument.parseObject(jsonEnd == body.length ? body : Arrays.copyOf(body, jsonEnd), Math.max(jsonEnd, 1));
        } catch (dev.seraphim.api.codec.MalformedJsonException e) {
            if (headerLength.isEmpty() && e.getMessage().contains("unexpected content after the JSON value")) {
                throw new BadRequestException(e.getMessage() + "; binary tensor data after the JSON needs the"
                        + " Inference-Header-Content-Length header giving the length of the JSON part");
            }
            throw e;
        }
        BinarySection binary = new BinarySection(body, jsonEnd, headerLength.isPresent());
        Optional<String> id = Optional.ofNullable(root.get("id")).map(v -> {
            if (!(v instanceof String s) || s.length() > JsonDocument.MAX_STRING_BYTES) {
                throw new BadRequestException("'id' must be a string of at most " + JsonDocument.MAX_STRING_BYTES + " characters");
            }
            return s;
        });
        Object inputsValue = root.get("inputs");
        if (!(inputsValue instanceof List<?> inputs) || inputs.isEmpty()) {
            throw new BadRequestException("'inputs' must be a non-empty array of tensors");
        }
        boolean allBinary = false;
        if (root.get("parameters") instanceof Map<?, ?> p && p.containsKey("binary_data_output")) {
            if (!(p.get("binary_data_output") instanceof Boolean b)) {
                throw new BadRequestException("parameter 'binary_data_output' must be true or false");
            }
            allBinary = b;
        }
        Set<String> outputs = new LinkedHashSet<>();
        Set<String> binaryOutputs = new LinkedHashSet<>();
        Set<String> jsonOutputs = new LinkedHashSet<>();
        Object outputsValue = root.get("outputs");
        if (outputsValue != null) {
            if (!(outputsValue instanceof List<?> list)) {
                throw new BadRequestException("'outputs' must be an array of {\"name\": ...}");
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)) {
                    throw new BadRequestException("each requested output must be an object with a string 'name'");
                }
                if (m.get("parameters") instanceof Map<?, ?> p && p.containsKey("binary_data")) {
                    if (!(p.get("binary_data") instanceof Boolean b)) {
                        throw new BadRequestException("output '" + name + "': parameter 'binary_data' must be true or false");
                    }
                    (b ? binaryOutputs : jsonOutputs).add(name);
                }
                outputs.add(name);
            }
        }
        return new OipInferRequest(id, inputs, binary, outputs, binaryOutputs, jsonOutputs, allBinary);
    }

    /**
     * The inputs decoded into tensors, each copied once into the buffer libtorch reads; {@code signature} names the
     * model's inputs, so that a wrong datatype is refused before any of its data is parsed.
     */
    List<TensorData> inputs(Function<String, Optional<TensorSpec>> signature, TensorLimits limits) {
        List<TensorData> tensors = new ArrayList<>(rawInputs.size());
        for (Object input : rawInputs) {
            tensors.add(tensor(input, signature, limits, binary));
        }
        if (binary.remaining() > 0) {
            throw new BadRequestException("the body has " + binary.remaining() + " bytes after the binary data its inputs declare"
                    + " (binary_data_size); send exactly the declared bytes");
        }
        return tensors;
    }

    /** Whether the request sends BYTES (images or text for a handler) rather than numeric tensors. */
    boolean sendsBytes() {
        return rawInputs.stream().anyMatch(i -> i instanceof Map<?, ?> m && "BYTES".equals(m.get("datatype")));
    }

    /** The elements of the request's one BYTES input, as a handler's instances. */
    List<dev.seraphim.inference.handler.Instance> instances() {
        if (rawInputs.size() != 1) {
            throw new BadRequestException("send one BYTES input (its elements the images or texts), not " + rawInputs.size() + " inputs");
        }
        List<dev.seraphim.inference.handler.Instance> out = OipBytesInput.instances((Map<?, ?>) rawInputs.get(0), binary);
        if (binary.remaining() > 0) {
            throw new BadRequestException("the body has " + binary.remaining() + " bytes after the binary data its inputs declare"
                    + " (binary_data_size); send exactly the declared bytes");
        }
        return out;
    }

    /** OIP input tensors ({"name", "datatype", "shape", "data"} objects) decoded and their datatypes checked against the signature. */
    public static List<TensorData> tensors(List<?> inputs, Function<String, Optional<TensorSpec>> signature, TensorLimits limits) {
        List<TensorData> tensors = new ArrayList<>(inputs.size());
        BinarySection none = new BinarySection(new byte[0], 0, false);
        for (Object input : inputs) {
            tensors.add(tensor(input, signature, limits, none));
        }
        return tensors;
    }

    private static TensorData tensor(Object value, Function<String, Optional<TensorSpec>> signature, TensorLimits limits, BinarySection binary) {
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
            throw new BadRequestException("input '" + name + "': BYTES inputs (images, text) go to models with a handler, and alone;"
                    + " this model takes numeric tensors (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64)");
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
        Object data = input.get("data");
        if (input.get("parameters") instanceof Map<?, ?> p && p.containsKey("binary_data_size")) {
            if (data != null) {
                throw new BadRequestException("input '" + name + "' has both 'data' and 'binary_data_size'; send one");
            }
            return binary.tensor(name, type, shape, p.get("binary_data_size"), limits);
        }
        if (data == null) {
            throw new BadRequestException("input '" + name + "' needs 'data'");
        }
        if (!(data instanceof NumericArray array)) {
            throw new BadRequestException("input '" + name + "': 'data' must be an array of numbers (flat or nested)");
        }
        return TensorDecoder.decode(name, array, type, shape, limits);
    }

    /** The bytes after the JSON header, handed out to the binary inputs in order. */
    static final class BinarySection {
        private final byte[] body;
        private final boolean present;
        private int position;

        BinarySection(byte[] body, int start, boolean present) {
            this.body = body;
            this.position = start;
            this.present = present;
        }

        int remaining() {
            return body.length - position;
        }

        /** The next {@code declaredSize} bytes, as they are (a BYTES input's length-prefixed elements). */
        byte[] take(String name, Object declaredSize) {
            if (!present) {
                throw new BadRequestException("input '" + name + "' declares binary_data_size but the request has no"
                        + " Inference-Header-Content-Length header giving the length of its JSON part");
            }
            if (!(declaredSize instanceof BigDecimal n) || n.signum() < 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(remaining())) > 0) {
                throw new BadRequestException("input '" + name + "': binary_data_size must be a non-negative integer no larger than the "
                        + remaining() + " bytes that follow the JSON");
            }
            byte[] out = Arrays.copyOfRange(body, position, position + n.intValue());
            position += n.intValue();
            return out;
        }

        TensorData tensor(String name, DataType type, long[] shape, Object declaredSize, TensorLimits limits) {
            if (!present) {
                throw new BadRequestException("input '" + name + "' declares binary_data_size but the request has no"
                        + " Inference-Header-Content-Length header giving the length of its JSON part");
            }
            if (!(declaredSize instanceof BigDecimal n) || n.signum() < 0 || n.stripTrailingZeros().scale() > 0) {
                throw new BadRequestException("input '" + name + "': binary_data_size must be a non-negative integer");
            }
            long elements = Shape.elementCount(shape);
            limits.check(name, shape, elements);
            long expected = elements * type.byteSize();
            if (n.longValue() != expected || n.compareTo(BigDecimal.valueOf(expected)) != 0) {
                throw new BadRequestException("input '" + name + "': binary_data_size is " + n + " but shape " + Shape.format(shape)
                        + " of " + type + " is " + expected + " bytes");
            }
            if (expected > remaining()) {
                throw new BadRequestException("input '" + name + "' needs " + expected + " bytes of binary data but only "
                        + remaining() + " follow");
            }
            // the extension's bytes are little-endian; the engine's buffers are in native order
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) expected).order(ByteOrder.nativeOrder());
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || type.byteSize() == 1) {
                buffer.put(body, position, (int) expected);
            } else {
                ByteBuffer little = ByteBuffer.wrap(body, position, (int) expected).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < elements; i++) {
                    switch (type.byteSize()) {
                        case 2 -> buffer.putShort(little.getShort());
                        case 4 -> buffer.putInt(little.getInt());
                        default -> buffer.putLong(little.getLong());
                    }
                }
            }
            position += (int) expected;
            buffer.flip();
            return new TensorData(name, type, shape, buffer);
        }
    }
}
