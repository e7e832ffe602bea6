package dev.seraphim.api.grpc;

import com.google.protobuf.ByteString;
import dev.seraphim.api.grpc.v2.InferTensorContents;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelInferResponse;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.tensor.DataType;
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

    /** The inputs as tensors, in the request's order. */
    static List<TensorData> inputs(ModelInferRequest request) {
        int raw = request.getRawInputContentsCount();
        if (request.getInputsCount() == 0) {
            throw GrpcFailures.invalid("the request has no inputs: give each of the model's inputs in 'inputs'");
        }
        if (raw > 0 && raw != request.getInputsCount()) {
            throw GrpcFailures.invalid("raw_input_contents has " + raw + " entries for " + request.getInputsCount()
                    + " inputs: give one per input, in the order of 'inputs'");
        }
        List<TensorData> out = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor in = request.getInputs(i);
            String name = in.getName();
            if (name.isEmpty()) {
                throw GrpcFailures.invalid("input " + i + " has no name");
            }
            if (in.getDatatype().equals("BYTES")) {
                throw GrpcFailures.invalid("input '" + name + "' is BYTES: a handler's images and text are not read over gRPC yet;"
                        + " send them over REST (docs/handlers.md), or the model's tensors here");
            }
            DataType type = DataType.byName(in.getDatatype()).orElseThrow(() -> GrpcFailures.invalid("input '" + name
                    + "' has datatype '" + in.getDatatype() + "'; this server reads " + Arrays.toString(DataType.values())));
            long[] shape = shape(name, in.getShapeList());
            long elements = elements(name, shape);
            ByteBuffer data;
            if (raw > 0) {
                if (in.hasContents()) {
                    throw GrpcFailures.invalid("input '" + name + "' has both contents and raw_input_contents: give one or the other");
                }
                ByteString bytes = request.getRawInputContents(i);
                long expected = elements * type.byteSize();
                if (bytes.size() != expected) {
                    throw GrpcFailures.invalid("raw_input_contents[" + i + "] ('" + name + "') has " + bytes.size() + " bytes; shape "
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

    /** The outputs the request names (empty: all of the model's). */
    static Set<String> requestedOutputs(ModelInferRequest request) {
        Set<String> names = new LinkedHashSet<>();
        request.getOutputsList().forEach(o -> names.add(o.getName()));
        return names;
    }

    static ModelInferResponse response(InferenceResult result, ModelInferRequest request) {
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
        return b.build();
    }

    private static long[] shape(String name, List<Long> dims) {
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0) {
                throw GrpcFailures.invalid("input '" + name + "' has a negative dimension in shape " + dims);
            }
        }
        return shape;
    }

    private static long elements(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                throw GrpcFailures.invalid("input '" + name + "' has shape " + Arrays.toString(shape) + ": too many elements");
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
            case FP16 -> throw GrpcFailures.invalid("input '" + name + "' is FP16, which has no typed contents field: send it in raw_input_contents");
            default -> throw GrpcFailures.invalid("input '" + name + "' has datatype " + type + ", which this server does not read");
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
                        throw GrpcFailures.invalid("input '" + name + "' element " + i + " is " + v + ", outside " + type);
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
                        throw GrpcFailures.invalid("input '" + name + "' element " + i + " is " + v + ", outside " + type);
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
            throw GrpcFailures.invalid("input '" + name + "' (" + type + ") has " + given + " values in contents." + field
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
