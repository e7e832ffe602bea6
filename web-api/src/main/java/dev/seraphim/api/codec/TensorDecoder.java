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
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** Byte classes for the scans: a byte of a number (or true/false), a delimiter, or what cannot be in numbers. */
    private static final byte TOKEN = 0;
    private static final byte WHITESPACE = 1;
    private static final byte DELIMITER = 2;
    private static final byte FOREIGN = 3;
    private static final byte[] CLASS = new byte[256];

    static {
        for (char c : " \t\n\r".toCharArray()) {
            CLASS[c] = WHITESPACE;
        }
        for (char c : "[],".toCharArray()) {
            CLASS[c] = DELIMITER;
        }
        for (char c : "\"{}:".toCharArray()) {
            CLASS[c] = FOREIGN;
        }
    }

    private TensorDecoder() {
    }

    /** The nested shape of an array (rectangular), and its number of scalar elements. */
    public record Layout(long[] shape, long count) {
    }

    interface TokenConsumer {
        void accept(int start, int end);
    }

    /**
     * Decodes into a tensor; {@code declaredShape} null means the nesting is the shape. With a declared shape
     * (the OIP form) the data is checked and converted in one pass over the bytes; without one, a first pass
     * learns the shape.
     */
    public static TensorData decode(String name, NumericArray array, DataType type, long[] declaredShape, TensorLimits limits) {
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
            forEachNumber(array, (s, e) -> put(out, type, src, s, e, name));
        }
        if (layout.count() != expected) {
            limits.check(name, shape, Math.max(expected, layout.count()));
            throw new InvalidTensorException("input '" + name + "': data has " + layout.count() + " elements but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
        out.flip();
        return new TensorData(name, type, shape, out);
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
                long word = (long) LITTLE_ENDIAN_LONGS.get(src, k);
                int run = leadingDigits(word);
                if (run == 0) {
                    break;
                }
                mantissa = mantissa * POW10_LONG[run] + leadingDigitsValue(word, run);
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
            double v = fraction == 0 ? mantissa : mantissa / POW10[fraction];
            if (floats == null) {
                out.putDouble(negative ? -v : v);
                return;
            }
            float f = nearFloatMidpoint(v) ? Math.abs(Float.parseFloat(text(src, start, end))) : (float) v;
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
            if (point + 8 <= limit && (run = leadingDigits(word = (long) LITTLE_ENDIAN_LONGS.get(src, point))) < 8) {
                // the common case, up to seven digits after the point, in one step
                mantissa = run == 0 ? mantissa : mantissa * POW10_LONG[run] + leadingDigitsValue(word, run);
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
        if (digits == 0 || fraction >= POW10.length || !endsNumber(src, k, limit)
                || digits + fraction > sink.mostDigits && !fits(src, zeroInteger, point, k, sink.mostDigits)) {
            return -1;
        }
        sink.plain(mantissa, fraction, negative, src, i, k);
        return k;
    }

    private static boolean endsNumber(byte[] src, int k, int limit) {
        return k == limit || CLASS[src[k] & 0xff] == DELIMITER || CLASS[src[k] & 0xff] == WHITESPACE;
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

    /**
     * Whether rounding a double that may be a few of its units off the exact value to a float could give the wrong
     * float. A float has 29 bits fewer than a double, so the double's low 29 bits say how far it lies from the midpoint
     * between the two floats around it: more than a few units away, the exact value is on the same side of that
     * midpoint, and rounding the double gives the float nearest the exact value. Closer (about once in 10^7 values),
     * or below the normal floats, the text is parsed to a float directly instead: rounding twice, to a double and then
     * to a float, can land on the other float (0.7324906885623931885 does).
     */
    static boolean nearFloatMidpoint(double v) {
        long belowFloat = Double.doubleToRawLongBits(v) & ((1L << 29) - 1);
        return Math.abs(belowFloat - (1L << 28)) <= 8 || (Math.abs(v) < Float.MIN_NORMAL && v != 0);
    }

    private static final long[] POW10_LONG = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /** How many of the eight bytes, from the first, are ASCII digits before the first that is not. */
    static int leadingDigits(long word) {
        // a byte is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x30-0x39); a carry out of a byte
        // at or above 0xfa only disturbs the bytes after it, and those come after the first non-digit
        long notDigit = ((word & HIGH_NIBBLES) ^ ASCII_ZEROS) | (((word + 0x0606060606060606L) & HIGH_NIBBLES) ^ ASCII_ZEROS);
        return Long.numberOfTrailingZeros(notDigit) >>> 3;
    }

    /** The value of the first {@code run} (1-8) digits of the word: the rest shifted out, zeros shifted in before them. */
    static long leadingDigitsValue(long word, int run) {
        return digitsValue((word - ASCII_ZEROS) << ((8 - run) << 3));
    }

    private static final VarHandle LITTLE_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long HIGH_NIBBLES = 0xF0F0F0F0F0F0F0F0L;
    private static final long ASCII_ZEROS = 0x3030303030303030L;

    /** Eight digit values (0-9, one per byte, the first in the lowest byte) as one number: pairs, then quads. */
    private static long digitsValue(long digits) {
        long v = digits * 10 + (digits >>> 8);
        return (((v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32)))
                + (((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32)))) >>> 32;
    }

    /** Whether any of the eight bytes is '[', ']', '"' or '{', the bytes {@link #matchingBracket} acts on. */
    static boolean structural(long word) {
        // '[' | 0x20 == '{' and ']' | 0x20 == '}': two tests cover four brackets ('}' is only looked at, as before)
        long folded = word | 0x2020202020202020L;
        return hasByte(folded, '{') || hasByte(folded, '}') || hasByte(word, '"');
    }

    private static boolean hasByte(long word, int b) {
        long x = word ^ (ONES * b);
        return ((x - ONES) & ~x & HIGH_BITS) != 0;
    }

    private static void put(ByteBuffer out, DataType type, byte[] src, int s, int e, String name) {
        switch (type) {
            case FP32 -> out.putFloat(parseFloat(src, s, e, name));
            case FP64 -> out.putDouble(finite(parseDouble(src, s, e, name), Double.MAX_VALUE, type, src, s, e, name));
            case FP16 -> out.putShort(Float16.fromFloat((float) finite(parseDouble(src, s, e, name), 65504, type, src, s, e, name)));
            case BOOL -> out.put((byte) (parseBool(src, s, e, name) ? 1 : 0));
            case INT64 -> out.putLong(parseLong(src, s, e, name));
            case INT32 -> out.putInt((int) ranged(parseLong(src, s, e, name), Integer.MIN_VALUE, Integer.MAX_VALUE, type, name));
            case INT16 -> out.putShort((short) ranged(parseLong(src, s, e, name), Short.MIN_VALUE, Short.MAX_VALUE, type, name));
            case INT8 -> out.put((byte) ranged(parseLong(src, s, e, name), Byte.MIN_VALUE, Byte.MAX_VALUE, type, name));
            case UINT8 -> out.put((byte) ranged(parseLong(src, s, e, name), 0, 0xff, type, name));
            case UINT16 -> out.putShort((short) ranged(parseLong(src, s, e, name), 0, 0xffff, type, name));
            case UINT32 -> out.putInt((int) ranged(parseLong(src, s, e, name), 0, 0xffffffffL, type, name));
            case UINT64 -> out.putLong(parseUnsignedLong(src, s, e, name));
        }
    }

    /** The float nearest the text, as {@link Float#parseFloat} gives it, through {@link #parseDouble} where that is safe. */
    private static float parseFloat(byte[] src, int s, int e, String name) {
        double v = finite(parseDouble(src, s, e, name), Float.MAX_VALUE, DataType.FP32, src, s, e, name);
        return nearFloatMidpoint(v) ? Float.parseFloat(text(src, s, e)) : (float) v;
    }

    /** A number the datatype cannot hold would silently become infinity: refused instead. */
    private static double finite(double v, double max, DataType type, byte[] src, int s, int e, String name) {
        if (!(Math.abs(v) <= max)) {
            throw new InvalidTensorException("input '" + name + "': value " + text(src, s, Math.min(e, s + 40))
                    + " is out of range for " + type + " (largest magnitude " + max + ")");
        }
        return v;
    }

    private static long ranged(long v, long min, long max, DataType type, String name) {
        if (v < min || v > max) {
            throw new InvalidTensorException("input '" + name + "': value " + v + " is out of range for " + type);
        }
        return v;
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
            if (CLASS[c & 0xff] == WHITESPACE) {
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
                    end = tokenEnd(src, i, array.end());
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

    static void forEachNumber(NumericArray array, TokenConsumer consumer) {
        byte[] src = array.source();
        int i = array.start();
        while (i < array.end()) {
            if (CLASS[src[i] & 0xff] != TOKEN) {
                i++;
            } else {
                int end = tokenEnd(src, i, array.end());
                consumer.accept(i, end);
                i = end;
            }
        }
    }

    private static int tokenEnd(byte[] src, int i, int limit) {
        int j = i;
        while (j < limit && CLASS[src[j] & 0xff] == TOKEN) {
            j++;
        }
        if (j < limit && CLASS[src[j] & 0xff] == FOREIGN) {
            throw new InvalidTensorException("tensor data must hold only numbers (or true/false for BOOL)");
        }
        return j;
    }

    /** The index just after the ']' that closes the '[' at {@code start}. */
    static int matchingBracket(byte[] src, int start) {
        int depth = 0;
        for (int i = start; i < src.length; i++) {
            // inside the array, eight bytes at a time past numbers, commas and whitespace
            while (depth > 0 && i + 8 <= src.length && !structural((long) LITTLE_ENDIAN_LONGS.get(src, i))) {
                i += 8;
            }
            if (i >= src.length) {
                break;
            }
            byte c = src[i];
            if (CLASS[c & 0xff] == TOKEN) {
                continue;
            }
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                if (--depth == 0) {
                    return i + 1;
                }
            } else if (c == '"' || c == '{') {
                throw new MalformedJsonException("invalid JSON at byte " + i + ": an array of numbers holds a string or object");
            }
        }
        throw new MalformedJsonException("invalid JSON: unterminated array starting at byte " + start);
    }

    private static boolean parseBool(byte[] src, int s, int e, String name) {
        int n = e - s;
        if (n == 4 && src[s] == 't' && src[s + 1] == 'r' && src[s + 2] == 'u' && src[s + 3] == 'e') {
            return true;
        }
        if (n == 5 && src[s] == 'f' && src[s + 1] == 'a' && src[s + 2] == 'l' && src[s + 3] == 's' && src[s + 4] == 'e') {
            return false;
        }
        if (n == 1 && (src[s] == '0' || src[s] == '1')) {
            return src[s] == '1';
        }
        throw notA("BOOL (true or false)", src, s, e, name);
    }

    static long parseLong(byte[] src, int s, int e, String name) {
        int i = s;
        boolean negative = i < e && src[i] == '-';
        if (negative) {
            i++;
        }
        if (i == e) {
            throw notA("integer", src, s, e, name);
        }
        long v = 0;
        for (; i < e; i++) {
            int d = src[i] - '0';
            if (d < 0 || d > 9) {
                throw notA("integer", src, s, e, name);
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new InvalidTensorException("input '" + name + "': integer " + text(src, s, e) + " is out of range");
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw new InvalidTensorException("input '" + name + "': integer " + text(src, s, e) + " is out of range");
            }
            v = -v;
        }
        return v;
    }

    private static long parseUnsignedLong(byte[] src, int s, int e, String name) {
        try {
            return Long.parseUnsignedLong(text(src, s, e));
        } catch (NumberFormatException ex) {
            throw notA("UINT64", src, s, e, name);
        }
    }

    /** Exact for decimal numbers of up to 18 significant digits with small exponents; else the JDK's parser. */
    static double parseDouble(byte[] src, int s, int e, String name) {
        int i = s;
        boolean negative = false;
        if (i < e && src[i] == '-') {
            negative = true;
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int exp10 = 0;
        boolean exact = true;
        boolean any = false;
        for (; i < e && src[i] >= '0' && src[i] <= '9'; i++) {
            any = true;
            if (digits < 18) {
                mantissa = mantissa * 10 + (src[i] - '0');
                if (mantissa != 0) {
                    digits++;
                }
            } else {
                exp10++;
                exact &= src[i] == '0';
            }
        }
        if (i < e && src[i] == '.') {
            i++;
            boolean fraction = false;
            for (; i < e && src[i] >= '0' && src[i] <= '9'; i++) {
                fraction = true;
                if (digits < 18) {
                    mantissa = mantissa * 10 + (src[i] - '0');
                    if (mantissa != 0) {
                        digits++;
                    }
                    exp10--;
                } else {
                    exact &= src[i] == '0';
                }
            }
            if (!fraction) {
                throw notA("number", src, s, e, name);
            }
        }
        if (!any) {
            throw notA("number", src, s, e, name);
        }
        if (i < e && (src[i] == 'e' || src[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < e && (src[i] == '+' || src[i] == '-')) {
                expNegative = src[i] == '-';
                i++;
            }
            int exp = 0;
            boolean expDigits = false;
            for (; i < e && src[i] >= '0' && src[i] <= '9'; i++) {
                expDigits = true;
                exp = Math.min(exp * 10 + (src[i] - '0'), 100000);
            }
            if (!expDigits) {
                throw notA("number", src, s, e, name);
            }
            exp10 += expNegative ? -exp : exp;
        }
        if (i != e) {
            throw notA("number", src, s, e, name);
        }
        double v;
        if (exact && mantissa < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
            v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
        } else {
            v = Math.abs(Double.parseDouble(text(src, s, e)));
        }
        return negative ? -v : v;
    }

    private static InvalidTensorException notA(String what, byte[] src, int s, int e, String name) {
        String t = text(src, s, Math.min(e, s + 40));
        return new InvalidTensorException("input '" + name + "': element '" + t + "' is not a valid " + what);
    }

    private static String text(byte[] src, int s, int e) {
        return new String(src, s, e - s, StandardCharsets.US_ASCII);
    }
}
