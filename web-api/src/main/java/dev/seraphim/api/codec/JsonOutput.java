package dev.seraphim.api.codec;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.Float16;
import dev.seraphim.inference.tensor.TensorData;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a JSON response into one growing byte array, tensor data straight from the result buffer, and hands
 * it to the HTTP response in one write. Non-finite floats, which JSON cannot carry, are written as null.
 */
public final class JsonOutput {
    private byte[] buf = new byte[1024];
    private int len;

    public JsonOutput raw(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                put((byte) c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                for (byte x : b) {
                    put(x);
                }
            }
        }
        return this;
    }

    public JsonOutput string(String s) {
        put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> raw("\\\"");
                case '\\' -> raw("\\\\");
                case '\n' -> raw("\\n");
                case '\r' -> raw("\\r");
                case '\t' -> raw("\\t");
                default -> {
                    if (c < 0x20) {
                        raw(String.format("\\u%04x", (int) c));
                    } else {
                        raw(String.valueOf(c));
                    }
                }
            }
        }
        put((byte) '"');
        return this;
    }

    public JsonOutput shape(long[] shape) {
        put((byte) '[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                put((byte) ',');
            }
            raw(Long.toString(shape[i]));
        }
        put((byte) ']');
        return this;
    }

    /** The tensor's elements as a flat array (OIP's row-major "data"). */
    public JsonOutput flatData(TensorData t) {
        ByteBuffer b = t.data();
        long n = t.elementCount();
        put((byte) '[');
        for (long i = 0; i < n; i++) {
            if (i > 0) {
                put((byte) ',');
            }
            element(b, t.dataType());
        }
        put((byte) ']');
        return this;
    }

    /** The tensor's elements nested by its shape, e.g. [[0.1, 0.2], [0.3, 0.4]]. */
    public JsonOutput nestedData(TensorData t) {
        ByteBuffer b = t.data();
        long[] shape = t.shape();
        if (shape.length == 0) {
            element(b, t.dataType());
            return this;
        }
        nested(b, t.dataType(), shape, 0);
        return this;
    }

    private void nested(ByteBuffer b, DataType type, long[] shape, int dim) {
        put((byte) '[');
        for (long i = 0; i < shape[dim]; i++) {
            if (i > 0) {
                put((byte) ',');
            }
            if (dim == shape.length - 1) {
                element(b, type);
            } else {
                nested(b, type, shape, dim + 1);
            }
        }
        put((byte) ']');
    }

    private void element(ByteBuffer b, DataType type) {
        switch (type) {
            case FP32 -> floating(b.getFloat());
            case FP64 -> floating(b.getDouble());
            case FP16 -> floating(Float16.toFloat(b.getShort()));
            case BOOL -> raw(b.get() != 0 ? "true" : "false");
            case INT8 -> raw(Byte.toString(b.get()));
            case UINT8 -> raw(Integer.toString(b.get() & 0xff));
            case INT16 -> raw(Short.toString(b.getShort()));
            case UINT16 -> raw(Integer.toString(b.getShort() & 0xffff));
            case INT32 -> raw(Integer.toString(b.getInt()));
            case UINT32 -> raw(Long.toString(b.getInt() & 0xffffffffL));
            case INT64 -> raw(Long.toString(b.getLong()));
            case UINT64 -> raw(Long.toUnsignedString(b.getLong()));
        }
    }

    private void floating(float f) {
        raw(Float.isFinite(f) ? Float.toString(f) : "null");
    }

    private void floating(double d) {
        raw(Double.isFinite(d) ? Double.toString(d) : "null");
    }

    private void put(byte b) {
        if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = b;
    }

    /** Bytes written so far. */
    public int length() {
        return len;
    }

    /** The tensor's elements as raw little-endian bytes (the OIP binary tensor data extension), after the JSON. */
    public JsonOutput littleEndian(TensorData t) {
        ByteBuffer b = t.data();
        int n = b.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        if (b.order() == java.nio.ByteOrder.LITTLE_ENDIAN || t.dataType().byteSize() == 1) {
            b.get(buf, len, n);
            len += n;
        } else {
            ByteBuffer out = ByteBuffer.wrap(buf, len, n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                switch (t.dataType().byteSize()) {
                    case 2 -> out.putShort(b.getShort());
                    case 4 -> out.putInt(b.getInt());
                    default -> out.putLong(b.getLong());
                }
            }
            len += n;
        }
        return this;
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
