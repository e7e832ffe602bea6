package dev.seraphim.api.oip;

import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.errors.ApiError.BadRequestException;
import dev.seraphim.api.inference.Instances;
import dev.seraphim.inference.handler.Instance;
import dev.seraphim.inference.tensor.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An OIP BYTES input as KServe's and Triton's clients send it, one element per image or text: in JSON as strings
 * (text, or an image's base64) or {@code {"b64": "..."}} objects; with the binary extension as Triton lays BYTES out,
 * each element a 4-byte little-endian length and that many bytes. Shape [n] or [n, 1].
 */
final class OipBytesInput {
    private OipBytesInput() {
    }

    static List<Instance> instances(Map<?, ?> input, OipInferRequest.BinarySection binary) {
        String name = input.get("name") instanceof String s ? s : "?";
        if (!(input.get("shape") instanceof NumericArray shapeArray)) {
            throw new BadRequestException("input '" + name + "' needs 'shape', an array of integers");
        }
        long[] shape = shapeArray.toLongs("shape");
        if (shape.length == 0 || shape.length > 2 || (shape.length == 2 && shape[1] != 1) || shape[0] < 1) {
            throw new BadRequestException("input '" + name + "': a BYTES input has shape [n] or [n, 1], one element per image or text; got "
                    + Shape.format(shape));
        }
        long count = shape[0];
        List<Instance> out = new ArrayList<>();
        if (input.get("parameters") instanceof Map<?, ?> p && p.containsKey("binary_data_size")) {
            ByteBuffer bytes = ByteBuffer.wrap(binary.take(name, p.get("binary_data_size"))).order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.remaining() >= 4) {
                int length = bytes.getInt();
                if (length < 0 || length > bytes.remaining()) {
                    throw new BadRequestException("input '" + name + "': element " + (out.size() + 1) + " declares " + Integer.toUnsignedString(length)
                            + " bytes but " + bytes.remaining() + " remain; each BYTES element is a 4-byte little-endian length and that many bytes");
                }
                byte[] element = Arrays.copyOfRange(bytes.array(), bytes.position(), bytes.position() + length);
                bytes.position(bytes.position() + length);
                out.add(new Instance.Encoded(element));
            }
            if (bytes.hasRemaining()) {
                throw new BadRequestException("input '" + name + "': " + bytes.remaining() + " bytes left after the last whole element");
            }
        } else {
            Object data = input.get("data");
            List<?> elements = data instanceof List<?> l ? flatten(l) : null;
            if (elements == null) {
                throw new BadRequestException("input '" + name + "': BYTES 'data' must be an array of strings or {\"b64\": \"...\"} objects");
            }
            for (Object e : elements) {
                if (!(e instanceof String) && !(e instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("b64"))) {
                    throw new BadRequestException("input '" + name + "': each BYTES element must be a string or {\"b64\": \"...\"}");
                }
                out.add(Instances.of(e, "input '" + name + "'"));
            }
        }
        if (out.size() != count) {
            throw new BadRequestException("input '" + name + "': shape " + Shape.format(shape) + " has " + count + " elements but "
                    + out.size() + " were sent");
        }
        return out;
    }

    /** [[a], [b]] for shape [n, 1] as [a, b]. */
    private static List<?> flatten(List<?> data) {
        List<Object> out = new ArrayList<>();
        for (Object o : data) {
            if (o instanceof List<?> inner) {
                out.addAll(inner);
            } else {
                out.add(o);
            }
        }
        return out;
    }
}
