package dev.seraphim.api.codec;

import dev.seraphim.inference.tensor.InvalidTensorException;


/**
 * The bytes of a JSON array of numbers as the scans see them: each byte's class, where a number ends, the bracket
 * that closes an array, and eight bytes at a time whether any is structural.
 */
final class ArrayTokens {
    private ArrayTokens() {
    }

    /** Byte classes for the scans: a byte of a number (or true/false), a delimiter, or what cannot be in numbers. */
    static final byte TOKEN = 0;

    static final byte WHITESPACE = 1;

    static final byte DELIMITER = 2;

    static final byte FOREIGN = 3;

    static final byte[] CLASS = new byte[256];

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

    interface TokenConsumer {
        void accept(int start, int end);
    }

    /** Whether any of the eight bytes is '[', ']', '"' or '{', the bytes {@link #matchingBracket} acts on. */
    static boolean structural(long word) {
        // '[' | 0x20 == '{' and ']' | 0x20 == '}': two tests cover four brackets ('}' is only looked at, as before)
        long folded = word | 0x2020202020202020L;
        return hasByte(folded, '{') || hasByte(folded, '}') || hasByte(word, '"');
    }

    static boolean hasByte(long word, int b) {
        long x = word ^ (NumberText.ONES * b);
        return ((x - NumberText.ONES) & ~x & NumberText.HIGH_BITS) != 0;
    }

    static int tokenEnd(byte[] src, int i, int limit) {
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
            while (depth > 0 && i + 8 <= src.length && !structural((long) NumberText.LITTLE_ENDIAN_LONGS.get(src, i))) {
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
}
