package dev.seraphim.api.codec;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.Float16;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.Shape;
import dev.seraphim.inference.tensor.TensorData;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses a JSON array of numbers straight into a direct, native-order buffer of the tensor's datatype: no
 * boxed value per element, one pass to learn the nesting, one to convert.
 */
public final class TensorDecoder {

    private TensorDecoder() {
    }

    /** The nested shape of an array (rectangular), and its number of scalar elements. */
    public record Layout(long[] shape, long count) {
    }

    /**
     * Decodes into a tensor; {@code declaredShape} null means the nesting is the shape. With a declared shape
     * (the OIP form) the data is checked and converted in one pass over the bytes; without one, a first pass
     * learns the shape.
     */
    public static TensorData decode(String name, NumericArray array, DataType type, long[] declaredShape, TensorLimits limits) {
        if (isEmpty(array)) {
            // valid JSON, but a tensor of no elements is no request: say so rather than blame the syntax
            throw new InvalidTensorException("input '" + name + "' has no elements" + (declaredShape == null ? ""
                    : " (shape " + Arrays.toString(declaredShape) + ")") + ": send at least one row; an empty batch is not run");
        }
        long[] shape;
        long expected;
        ByteBuffer out;
        Layout layout;
        if (declaredShape != null) {
            shape = declaredShape;
            expected = Shape.elementCount(shape);
            limits.check(name, shape, expected);
            out = allocate(name, expected, type);
            layout = scan(array, new Sink(out, type, expected, name));
        } else {
            layout = layout(array);
            shape = layout.shape();
            expected = Shape.elementCount(shape);
            limits.check(name, shape, layout.count());
            out = allocate(name, layout.count(), type);
            byte[] src = array.source();
            ArrayTokens.forEachNumber(array, (s, e) -> put(out, type, src, s, e, name));
        }
        if (layout.count() != expected) {
            limits.check(name, shape, Math.max(expected, layout.count()));
            throw new InvalidTensorException("input '" + name + "': data has " + layout.count() + " elements but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
        out.flip();
        return new TensorData(name, type, shape, out);
    }

    /** {@code []} (or {@code [[]]}, ...): brackets and whitespace only. */
    private static boolean isEmpty(NumericArray array) {
        byte[] src = array.source();
        for (int i = array.start(); i < array.end(); i++) {
            byte c = src[i];
            if (c != '[' && c != ']' && ArrayTokens.CLASS[c & 0xff] != ArrayTokens.WHITESPACE) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer allocate(String name, long elements, DataType type) {
        long bytes = elements * type.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidTensorException("input '" + name + "' is larger than 2 GiB");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Where the one-pass scan writes the numbers it meets, up to the declared count (more are only counted).
     * FP32 values from the plain-decimal path gather in a small heap array and go to the direct buffer in bulk: a
     * direct buffer's putFloat per element was a quarter of the decoding's time.
     */
    private static final class Sink {
        private static final int CHUNK = 4096;
        final ByteBuffer out;
        final DataType type;
        final long capacity;
        final String name;
        final int mostDigits;
        private final float[] floats;
        private long mantissa;
        private int pending;

        Sink(ByteBuffer out, DataType type, long capacity, String name) {
            this.out = out;
            this.type = type;
            this.capacity = capacity;
            this.name = name;
            this.floats = type == DataType.FP32 ? new float[(int) Math.min(CHUNK, Math.max(1, capacity))] : null;
            // the mantissa must fit: 18 significant digits for FP32 (below 10^18 < 2^63; the double quotient is then
            // within two of its units of the exact value), 15 for FP64 (below 2^53, exact in a double)
            this.mostDigits = type == DataType.FP32 ? 18 : 15;
        }

        /** FP32 and FP64 data take the {@link #plainDecimal} path first. */
        boolean plainDecimals() {
            return type == DataType.FP32 || type == DataType.FP64;
        }

        /**
         * The digits after a decimal point where {@link #plainDecimal}'s one step does not do (eight or more of them, or
         * the array's last bytes), from {@code point}, appended to {@code mantissa}: returns where they end and leaves
         * the mantissa in {@link #mantissa}. A second result, because inside {@link #plainDecimal} this loop made it
         * too large for the JIT to inline into the scan, which then called it once per number.
         */
        int fraction(byte[] src, int point, int limit, long mantissa) {
            int k = point;
            // the run of digits at the front of each eight bytes, however long, without a branch per digit
            while (k + 8 <= limit) {
                long word = (long) NumberText.LITTLE_ENDIAN_LONGS.get(src, k);
                int run = NumberText.leadingDigits(word);
                if (run == 0) {
                    break;
                }
                mantissa = mantissa * NumberText.POW10_LONG[run] + NumberText.leadingDigitsValue(word, run);
                k += run;
                if (run < 8) {
                    break;
                }
            }
            int d;
            while (k < limit && (d = src[k] - '0') >= 0 && d <= 9) {
                mantissa = mantissa * 10 + d;
                k++;
            }
            this.mantissa = mantissa;
            return k;
        }

        /**
         * A plain decimal's value, {@code mantissa / 10^fraction}: FP64 exactly (mantissa below 2^53, one rounding),
         * FP32 as the float nearest it, which the text gives where the double cannot tell ({@link #nearFloatMidpoint}).
         */
        void plain(long mantissa, int fraction, boolean negative, byte[] src, int start, int end) {
            double v = fraction == 0 ? mantissa : mantissa / NumberText.POW10[fraction];
            if (floats == null) {
                out.putDouble(negative ? -v : v);
                return;
            }
            float f = NumberText.nearFloatMidpoint(v) ? Math.abs(Float.parseFloat(NumberText.text(src, start, end))) : (float) v;
            if (pending == floats.length) {
                flush();
            }
            floats[pending++] = negative ? -f : f;
        }

        /** Before anything is written to the buffer directly, and at the end. */
        void flush() {
            if (pending > 0) {
                out.asFloatBuffer().put(floats, 0, pending);
                out.position(out.position() + pending * Float.BYTES);
                pending = 0;
            }
        }
    }

    /**
     * The common case of float tensor data, a plain decimal ({@code -?digits(.digits)?}) ended by a delimiter,
     * parsed and written in the same pass that finds it: returns the index after it, or -1 (nothing written) for
     * anything else (exponents, too many digits, malformed text), which the general path then parses or refuses with
     * its message. FP64 takes up to 15 digits, where an exact mantissa divided by an exact power of ten is rounded
     * once, as {@link #parseDouble} does. FP32 takes up to 18, which is what clients that print float32 values as
     * doubles send (Python's {@code json.dumps} of {@code tolist()}: 0.10000000149011612); its value is the float
     * nearest the text, as {@link Float#parseFloat} gives it (see {@link #nearFloatMidpoint}).
     */
    private static int plainDecimal(byte[] src, int i, int limit, Sink sink) {
        boolean negative = src[i] == '-';
        int k = negative ? i + 1 : i;
        // the digits are accumulated as they are found; a value with more digits than its type takes here is
        // refused below, so whatever the accumulator held by then (it may have wrapped) is never used
        long mantissa = 0;
        int first = k;
        int d;
        while (k < limit && (d = src[k] - '0') >= 0 && d <= 9) {
            mantissa = mantissa * 10 + d;
            k++;
        }
        int digits = k - first;
        boolean zeroInteger = mantissa == 0;
        int fraction = 0;
        int point = k + 1;
        if (k < limit && src[k] == '.') {
            long word;
            int run;
            if (point + 8 <= limit && (run = NumberText.leadingDigits(word = (long) NumberText.LITTLE_ENDIAN_LONGS.get(src, point))) < 8) {
                // the common case, up to seven digits after the point, in one step
                mantissa = run == 0 ? mantissa : mantissa * NumberText.POW10_LONG[run] + NumberText.leadingDigitsValue(word, run);
                k = point + run;
            } else {
                k = sink.fraction(src, point, limit, mantissa);
                mantissa = sink.mantissa;
            }
            fraction = k - point;
            if (fraction == 0) {
                return -1;
            }
        }
        if (digits == 0 || fraction >= NumberText.POW10.length || !endsNumber(src, k, limit)
                || digits + fraction > sink.mostDigits && !fits(src, zeroInteger, point, k, sink.mostDigits)) {
            return -1;
        }
        sink.plain(mantissa, fraction, negative, src, i, k);
        return k;
    }

    private static boolean endsNumber(byte[] src, int k, int limit) {
        return k == limit || ArrayTokens.CLASS[src[k] & 0xff] == ArrayTokens.DELIMITER || ArrayTokens.CLASS[src[k] & 0xff] == ArrayTokens.WHITESPACE;
    }

    /**
     * Whether a number whose text has more digits than its type takes here still has few enough significant ones:
     * zeros before the first significant digit (0.00123) do not count.
     */
    private static boolean fits(byte[] src, boolean zeroInteger, int point, int end, int mostDigits) {
        if (!zeroInteger) {
            return false;
        }
        int k = point;
        while (k < end && src[k] == '0') {
            k++;
        }
        return end - k <= mostDigits;
    }

    private static void put(ByteBuffer out, DataType type, byte[] src, int s, int e, String name) {
        switch (type) {
            case FP32 -> out.putFloat(NumberText.parseFloat(src, s, e, name));
            case FP64 -> out.putDouble(NumberText.finite(NumberText.parseDouble(src, s, e, name), Double.MAX_VALUE, type, src, s, e, name));
            case FP16 -> out.putShort(Float16.fromFloat((float) NumberText.finite(NumberText.parseDouble(src, s, e, name), 65504, type, src, s, e, name)));
            case BOOL -> out.put((byte) (NumberText.parseBool(src, s, e, name) ? 1 : 0));
            case INT64 -> out.putLong(NumberText.parseLong(src, s, e, name));
            case INT32 -> out.putInt((int) NumberText.ranged(NumberText.parseLong(src, s, e, name), Integer.MIN_VALUE, Integer.MAX_VALUE, type, name));
            case INT16 -> out.putShort((short) NumberText.ranged(NumberText.parseLong(src, s, e, name), Short.MIN_VALUE, Short.MAX_VALUE, type, name));
            case INT8 -> out.put((byte) NumberText.ranged(NumberText.parseLong(src, s, e, name), Byte.MIN_VALUE, Byte.MAX_VALUE, type, name));
            case UINT8 -> out.put((byte) NumberText.ranged(NumberText.parseLong(src, s, e, name), 0, 0xff, type, name));
            case UINT16 -> out.putShort((short) NumberText.ranged(NumberText.parseLong(src, s, e, name), 0, 0xffff, type, name));
            case UINT32 -> out.putInt((int) NumberText.ranged(NumberText.parseLong(src, s, e, name), 0, 0xffffffffL, type, name));
            case UINT64 -> out.putLong(NumberText.parseUnsignedLong(src, s, e, name));
        }
    }

    public static Layout layout(NumericArray array) {
        return scan(array, null);
    }

    /** The nesting checked and measured; with a sink, each number converted as it is met. */
    private static Layout scan(NumericArray array, Sink sink) {
        byte[] src = array.source();
        long[] dims = new long[JsonDocument.MAX_DEPTH + 2];
        Arrays.fill(dims, -1);
        long[] counts = new long[JsonDocument.MAX_DEPTH + 2];
        int depth = 0;
        int maxDepth = 0;
        int leafDepth = -1;
        long total = 0;
        int i = array.start();
        // what may come next: true after '[' or ',' (a value), false after a value (',' or ']')
        boolean valueExpected = true;
        boolean afterComma = false;
        while (i < array.end()) {
            byte c = src[i];
            if (ArrayTokens.CLASS[c & 0xff] == ArrayTokens.WHITESPACE) {
                i++;
                continue;
            }
            boolean isValueStart = c != ']' && c != ',';
            if (isValueStart != valueExpected || (c == ']' && afterComma)) {
                throw new MalformedJsonException("invalid JSON at byte " + i + ": unexpected '" + (char) c + "' in an array of numbers");
            }
            afterComma = c == ',';
            valueExpected = c == '[' || c == ',';
            if (c == '[') {
                if (depth > 0) {
                    counts[depth]++;
                }
                depth++;
                if (depth > JsonDocument.MAX_DEPTH) {
                    throw new MalformedJsonException("array nested deeper than " + JsonDocument.MAX_DEPTH + " levels");
                }
                if (leafDepth != -1 && depth > leafDepth) {
                    throw new InvalidTensorException("tensor data mixes numbers and arrays at the same level");
                }
                maxDepth = Math.max(maxDepth, depth);
                counts[depth] = 0;
                i++;
            } else if (c == ']') {
                if (dims[depth] == -1) {
                    dims[depth] = counts[depth];
                } else if (dims[depth] != counts[depth]) {
                    throw new InvalidTensorException("tensor data is ragged: rows at nesting level " + depth + " have "
                            + dims[depth] + " and " + counts[depth] + " elements");
                }
                depth--;
                i++;
            } else if (c == ',') {
                i++;
            } else {
                int end = sink != null && sink.plainDecimals() && total < sink.capacity ? plainDecimal(src, i, array.end(), sink) : -1;
                boolean written = end >= 0;
                if (!written) {
                    end = ArrayTokens.tokenEnd(src, i, array.end());
                }
                if (leafDepth == -1) {
                    leafDepth = depth;
                } else if (leafDepth != depth || depth < maxDepth) {
                    throw new InvalidTensorException("tensor data mixes numbers and arrays at the same level");
                }
                counts[depth]++;
                if (!written && sink != null && total < sink.capacity) {
                    sink.flush();
                    put(sink.out, sink.type, src, i, end, sink.name);
                }
                total++;
                i = end;
                if (written) {
                    // the common run: a comma and another plain decimal at the same level, taken straight on, without
                    // a turn of the checks above for the comma and another for the number, which both would pass
                    int next;
                    while (i + 1 < array.end() && src[i] == ',' && total < sink.capacity && (next = plainDecimal(src, i + 1, array.end(), sink)) >= 0) {
                        counts[depth]++;
                        total++;
                        i = next;
                    }
                }
            }
        }
        if (sink != null) {
            sink.flush();
        }
        if (leafDepth != -1 && leafDepth != maxDepth) {
            throw new InvalidTensorException("tensor data mixes numbers and arrays at the same level");
        }
        long[] shape = new long[maxDepth];
        for (int d = 1; d <= maxDepth; d++) {
            shape[d - 1] = Math.max(0, dims[d]);
        }
        return new Layout(shape, total);
    }

}
