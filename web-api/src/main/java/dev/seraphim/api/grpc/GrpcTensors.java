package dev.seraphim.api.grpc;

import com.google.protobuf.ByteString;
import dev.seraphim.api.grpc.v2.InferTensorContents;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelInferResponse;
import dev.seraphim.api.inference.Instances;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.handler.Instance;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ModelInfer's tensors: a request's inputs, typed ({@code contents}) or raw ({@code raw_input_contents}), read once
 * into the direct buffers libtorch reads; a result's outputs written once, raw when the request's inputs were raw (or
 * an output is FP16, which has no typed field), typed otherwise. Whether the tensors fit the model's signature is the
 * inference boundary's one check; here only whether each is well-formed.
 */
final class GrpcTensors {
    private GrpcTensors() {
    }

    /** The output a handler's labels are read as, BYTES [n, k], most probable first (as over REST). */
    static final String LABELS = "labels";

    /**
     * The inputs as tensors, in the request's order; a BYTES input (one element per image or text) through the
     * model's handler, as REST's.
     */
    static List<TensorData> inputs(ModelInferRequest request, ModelDescriptor signature) {
        int raw = request.getRawInputContentsCount();
        if (request.getInputsCount() == 0) {
            throw new InvalidTensorException("the request has no inputs: give each of the model's inputs in 'inputs'");
        }
        if (request.getInputsList().stream().anyMatch(i -> i.getDatatype().equals("BYTES"))) {
            if (request.getInputsCount() != 1) {
                throw new InvalidTensorException("a BYTES input (images or texts for the model's handler) is the request's only input");
            }
            Handler handler = Instances.handler(signature, "BYTES");
            return handler.tensors(instances(request.getInputs(0), raw > 0 ? request.getRawInputContents(0) : null), signature.inputs());
        }
        if (raw > 0 && raw != request.getInputsCount()) {
            throw new InvalidTensorException("raw_input_contents has " + raw + " entries for " + request.getInputsCount()
                    + " inputs: give one per input, in the order of 'inputs'");
        }
        List<TensorData> out = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor in = request.getInputs(i);
            String name = in.getName();
            if (name.isEmpty()) {
                throw new InvalidTensorException("input " + i + " has no name");
            }
            DataType type = DataType.byName(in.getDatatype()).orElseThrow(() -> new InvalidTensorException("input '" + name
                    + "' has datatype '" + in.getDatatype() + "'; this server reads " + Arrays.toString(DataType.values())));
            long[] shape = shape(name, in.getShapeList());
            long elements = elements(name, shape);
            ByteBuffer data;
            if (raw > 0) {
                if (in.hasContents()) {
                    throw new InvalidTensorException("input '" + name + "' has both contents and raw_input_contents: give one or the other");
                }
                ByteString bytes = request.getRawInputContents(i);
                long expected = elements * type.byteSize();
                if (bytes.size() != expected) {
                    throw new InvalidTensorException("raw_input_contents[" + i + "] ('" + name + "') has " + bytes.size() + " bytes; shape "
                            + Arrays.toString(shape) + " of " + type + " needs " + expected);
                }
                data = ByteBuffer.allocateDirect(bytes.size()).order(ByteOrder.LITTLE_ENDIAN);
                bytes.copyTo(data);
                data.flip();
            } else {
                data = typed(name, type, elements, in.getContents());
            }
            out.add(new TensorData(name, type, shape, data.order(ByteOrder.nativeOrder())));
        }
        return out;
    }

    /** The outputs the request names (empty: all of the model's); for a handler's labels, the first output they are read from. */
    static Set<String> requestedOutputs(ModelInferRequest request, ModelDescriptor signature) {
        Set<String> names = new LinkedHashSet<>();
        request.getOutputsList().forEach(o -> names.add(o.getName()));
        if (asksLabels(request, signature)) {
            names.remove(LABELS);
            names.add(signature.outputs().get(0).name());
        }
        return names;
    }

    private static boolean asksLabels(ModelInferRequest request, ModelDescriptor signature) {
        return signature.handler().isPresent() && signature.output(LABELS).isEmpty()
                && request.getOutputsList().stream().anyMatch(o -> o.getName().equals(LABELS));
    }

    /** One element per image or text: bytes_contents, or raw as Triton lays BYTES out (a 4-byte little-endian length, then the bytes). */
    private static List<Instance> instances(ModelInferRequest.InferInputTensor in, ByteString raw) {
        String name = in.getName();
        List<Long> shape = in.getShapeList();
        if (shape.isEmpty() || shape.size() > 2 || shape.size() == 2 && shape.get(1) != 1 || shape.get(0) < 1) {
            throw new InvalidTensorException("input '" + name + "': a BYTES input has shape [n] or [n, 1], one element per image or text; got " + shape);
        }
        List<Instance> out = new ArrayList<>();
        if (raw != null) {
            ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.remaining() >= 4) {
                int length = bytes.getInt();
                if (length < 0 || length > bytes.remaining()) {
                    throw new InvalidTensorException("input '" + name + "': element " + (out.size() + 1) + " declares " + Integer.toUnsignedString(length)
                            + " bytes but " + bytes.remaining() + " remain; each raw BYTES element is a 4-byte little-endian length and that many bytes");
                }
                byte[] element = new byte[length];
                bytes.get(element);
                out.add(new Instance.Encoded(element));
            }
            if (bytes.hasRemaining()) {
                throw new InvalidTensorException("input '" + name + "': " + bytes.remaining() + " bytes left after the last whole element");
            }
        } else {
            in.getContents().getBytesContentsList().forEach(b -> out.add(new Instance.Encoded(b.toByteArray())));
        }
        if (out.size() != shape.get(0)) {
            throw new InvalidTensorException("input '" + name + "': shape " + shape + " has " + shape.get(0) + " elements but " + out.size() + " were sent");
        }
        return out;
    }

    static ModelInferResponse response(InferenceResult result, ModelInferRequest request, ModelDescriptor signature) {
        boolean raw = request.getRawInputContentsCount() > 0
                || result.outputs().stream().anyMatch(o -> o.dataType() == DataType.FP16);
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(result.model())
                .setModelVersion(result.version()).setId(request.getId());
        for (TensorData t : result.outputs()) {
            ModelInferResponse.InferOutputTensor.Builder o = b.addOutputsBuilder().setName(t.name()).setDatatype(t.dataType().name());
            for (long d : t.shape()) {
                o.addShape(d);
            }
            if (raw) {
                ByteBuffer le = t.data().order(ByteOrder.LITTLE_ENDIAN);
                b.addRawOutputContents(ByteString.copyFrom(le));
            } else {
                o.setContents(contents(t));
            }
        }
        if (asksLabels(request, signature)) {
            List<List<String>> labels = signature.handler().get().labels(result.outputs().get(0));
            int k = labels.stream().mapToInt(List::size).max().orElse(0);
            ModelInferResponse.InferOutputTensor.Builder o = b.addOutputsBuilder().setName(LABELS).setDatatype("BYTES")
                    .addShape(labels.size()).addShape(k);
            java.io.ByteArrayOutputStream rawLabels = new java.io.ByteArrayOutputStream();
            InferTensorContents.Builder typed = InferTensorContents.newBuilder();
            for (List<String> row : labels) {
                for (int i = 0; i < k; i++) {
                    byte[] label = (i < row.size() ? row.get(i) : "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    if (raw) {
                        rawLabels.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(label.length).array());
                        rawLabels.writeBytes(label);
                    } else {
                        typed.addBytesContents(ByteString.copyFrom(label));
                    }
                }
            }
            if (raw) {
                b.addRawOutputContents(ByteString.copyFrom(rawLabels.toByteArray()));
            } else {
                o.setContents(typed);
            }
        }
        return b.build();
    }

    private static long[] shape(String name, List<Long> dims) {
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0) {
                throw new InvalidTensorException("input '" + name + "' has a negative dimension in shape " + dims);
            }
        }
        return shape;
    }

    private static long elements(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                throw new InvalidTensorException("input '" + name + "' has shape " + Arrays.toString(shape) + ": too many elements");
            }
            n *= d;
        }
        return n;
    }

    /** Typed contents into a direct buffer: the field that matches the datatype, holding exactly the shape's count. */
    private static ByteBuffer typed(String name, DataType type, long elements, InferTensorContents c) {
        int n = (int) elements;
        // the values given are counted before anything is allocated: a shape alone never sizes a buffer
        switch (type) {
            case BOOL -> count(name, type, "bool_contents", c.getBoolContentsCount(), n);
            case INT8, INT16, INT32 -> count(name, type, "int_contents", c.getIntContentsCount(), n);
            case INT64 -> count(name, type, "int64_contents", c.getInt64ContentsCount(), n);
            case UINT8, UINT16, UINT32 -> count(name, type, "uint_contents", c.getUintContentsCount(), n);
            case UINT64 -> count(name, type, "uint64_contents", c.getUint64ContentsCount(), n);
            case FP32 -> count(name, type, "fp32_contents", c.getFp32ContentsCount(), n);
            case FP64 -> count(name, type, "fp64_contents", c.getFp64ContentsCount(), n);
            case FP16 -> throw new InvalidTensorException("input '" + name + "' is FP16, which has no typed contents field: send it in raw_input_contents");
            default -> throw new InvalidTensorException("input '" + name + "' has datatype " + type + ", which this server does not read");
        }
        ByteBuffer b = ByteBuffer.allocateDirect(n * type.byteSize()).order(ByteOrder.nativeOrder());
        switch (type) {
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    b.put((byte) (c.getBoolContents(i) ? 1 : 0));
                }
            }
            case INT8, INT16, INT32 -> {
                long min = type == DataType.INT8 ? Byte.MIN_VALUE : type == DataType.INT16 ? Short.MIN_VALUE : Integer.MIN_VALUE;
                long max = type == DataType.INT8 ? Byte.MAX_VALUE : type == DataType.INT16 ? Short.MAX_VALUE : Integer.MAX_VALUE;
                for (int i = 0; i < n; i++) {
                    int v = c.getIntContents(i);
                    if (v < min || v > max) {
                        throw new InvalidTensorException("input '" + name + "' element " + i + " is " + v + ", outside " + type);
                    }
                    if (type == DataType.INT8) {
                        b.put((byte) v);
                    } else if (type == DataType.INT16) {
                        b.putShort((short) v);
                    } else {
                        b.putInt(v);
                    }
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    b.putLong(c.getInt64Contents(i));
                }
            }
            case UINT8, UINT16, UINT32 -> {
                long max = type == DataType.UINT8 ? 0xffL : type == DataType.UINT16 ? 0xffffL : 0xffffffffL;
                for (int i = 0; i < n; i++) {
                    long v = Integer.toUnsignedLong(c.getUintContents(i));
                    if (v > max) {
                        throw new InvalidTensorException("input '" + name + "' element " + i + " is " + v + ", outside " + type);
                    }
                    if (type == DataType.UINT8) {
                        b.put((byte) v);
                    } else if (type == DataType.UINT16) {
                        b.putShort((short) v);
                    } else {
                        b.putInt((int) v);
                    }
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    b.putLong(c.getUint64Contents(i));
                }
            }
            case FP32 -> {
                for (int i = 0; i < n; i++) {
                    b.putFloat(c.getFp32Contents(i));
                }
            }
            case FP64 -> {
                for (int i = 0; i < n; i++) {
                    b.putDouble(c.getFp64Contents(i));
                }
            }
            default -> throw new IllegalStateException(type + " was refused above");
        }
        b.flip();
        return b;
    }

    private static void count(String name, DataType type, String field, int given, int expected) {
        if (given != expected) {
            throw new InvalidTensorException("input '" + name + "' (" + type + ") has " + given + " values in contents." + field
                    + "; its shape needs " + expected + (given == 0 ? " (a " + type + " tensor's values go in " + field + ")" : ""));
        }
    }

    private static InferTensorContents contents(TensorData t) {
        ByteBuffer b = t.data();
        int n = (int) t.elementCount();
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        switch (t.dataType()) {
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    c.addBoolContents(b.get(i) != 0);
                }
            }
            case INT8 -> {
                for (int i = 0; i < n; i++) {
                    c.addIntContents(b.get(i));
                }
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) {
                    c.addIntContents(b.getShort(2 * i));
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    c.addIntContents(b.getInt(4 * i));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    c.addInt64Contents(b.getLong(8 * i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    c.addUintContents(b.get(i) & 0xff);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < n; i++) {
                    c.addUintContents(b.getShort(2 * i) & 0xffff);
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    c.addUintContents(b.getInt(4 * i));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    c.addUint64Contents(b.getLong(8 * i));
                }
            }
            case FP32 -> {
                for (int i = 0; i < n; i++) {
                    c.addFp32Contents(b.getFloat(4 * i));
                }
            }
            case FP64 -> {
                for (int i = 0; i < n; i++) {
                    c.addFp64Contents(b.getDouble(8 * i));
                }
            }
            default -> throw new IllegalStateException(t.dataType() + " has no typed contents field");
        }
        return c.build();
    }
}
