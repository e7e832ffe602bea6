package dev.seraphim.api.codec;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.InvalidTensorException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Numbers as JSON text writes them, parsed from bytes into the datatype a tensor holds: exact where a fast path is
 * safe, else the JDK's parsers; a value the datatype cannot hold is refused, never rounded to infinity or wrapped.
 */
final class NumberText {
    private NumberText() {
    }

    static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
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

    static final long[] POW10_LONG = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

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

    static final VarHandle LITTLE_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static final long ONES = 0x0101010101010101L;

    static final long HIGH_BITS = 0x8080808080808080L;

    static final long HIGH_NIBBLES = 0xF0F0F0F0F0F0F0F0L;

    static final long ASCII_ZEROS = 0x3030303030303030L;

    /** Eight digit values (0-9, one per byte, the first in the lowest byte) as one number: pairs, then quads. */
    static long digitsValue(long digits) {
        long v = digits * 10 + (digits >>> 8);
        return (((v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32)))
                + (((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32)))) >>> 32;
    }

    /** The float nearest the text, as {@link Float#parseFloat} gives it, through {@link #parseDouble} where that is safe. */
    static float parseFloat(byte[] src, int s, int e, String name) {
        double v = finite(parseDouble(src, s, e, name), Float.MAX_VALUE, DataType.FP32, src, s, e, name);
        return nearFloatMidpoint(v) ? Float.parseFloat(text(src, s, e)) : (float) v;
    }

    /** A number the datatype cannot hold would silently become infinity: refused instead. */
    static double finite(double v, double max, DataType type, byte[] src, int s, int e, String name) {
        if (!(Math.abs(v) <= max)) {
            throw new InvalidTensorException("input '" + name + "': value " + text(src, s, Math.min(e, s + 40))
                    + " is out of range for " + type + " (largest magnitude " + max + ")");
        }
        return v;
    }

    static long ranged(long v, long min, long max, DataType type, String name) {
        if (v < min || v > max) {
            throw new InvalidTensorException("input '" + name + "': value " + v + " is out of range for " + type);
        }
        return v;
    }

    static boolean parseBool(byte[] src, int s, int e, String name) {
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

    static long parseUnsignedLong(byte[] src, int s, int e, String name) {
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

    static InvalidTensorException notA(String what, byte[] src, int s, int e, String name) {
        String t = text(src, s, Math.min(e, s + 40));
        return new InvalidTensorException("input '" + name + "': element '" + t + "' is not a valid " + what);
    }

    static String text(byte[] src, int s, int e) {
        return new String(src, s, e - s, StandardCharsets.US_ASCII);
    }
}
