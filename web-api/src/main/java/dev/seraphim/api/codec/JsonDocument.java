package dev.seraphim.api.codec;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for request bodies. Objects become maps, strings, booleans and numbers their Java
 * values, but arrays of numbers (tensor data, shapes) are not parsed here: they stay {@link NumericArray}
 * spans of the body, so that tensor data is parsed once, later, directly into the buffer libtorch reads.
 * Nesting deeper than {@link #MAX_DEPTH} and strings longer than {@link #MAX_STRING_BYTES} are refused.
 */
public final class JsonDocument {
    public static final int MAX_DEPTH = 64;
    /** Longest string value or member name, in bytes of the body: names, ids and versions are far shorter. */
    public static final int MAX_STRING_BYTES = 8192;

    private final byte[] src;
    private final int maxStringBytes;
    private int pos;

    private JsonDocument(byte[] src, int maxStringBytes) {
        this.src = src;
        this.maxStringBytes = maxStringBytes;
    }

    public static Object parse(byte[] body) {
        return parse(body, MAX_STRING_BYTES);
    }

    /**
     * With longer strings allowed: the bodies of APIs whose strings carry data (base64 images, text for a handler),
     * bounded by the body's own limit.
     */
    public static Object parse(byte[] body, int maxStringBytes) {
        JsonDocument doc = new JsonDocument(body, maxStringBytes);
        doc.skipWhitespace();
        if (doc.pos >= body.length) {
            throw new MalformedJsonException("the request body is empty; a JSON object was expected");
        }
        Object value = doc.value(0);
        doc.skipWhitespace();
        if (doc.pos != body.length) {
            throw doc.error("unexpected content after the JSON value");
        }
        return value;
    }

    public static Map<String, Object> parseObject(byte[] body) {
        return parseObject(body, MAX_STRING_BYTES);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] body, int maxStringBytes) {
        Object value = parse(body, maxStringBytes);
        if (!(value instanceof Map)) {
            throw new MalformedJsonException("the request body must be a JSON object");
        }
        return (Map<String, Object>) value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        skipWhitespace();
        if (pos >= src.length) {
            throw error("unexpected end of JSON");
        }
        byte c = src[pos];
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + (char) c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a quoted member name");
            }
            String key = string();
            skipWhitespace();
            expect(':');
            if (map.containsKey(key)) {
                throw error("member '" + key + "' appears twice");
            }
            map.put(key, value(depth + 1));
            skipWhitespace();
            byte c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private Object array(int depth) {
        int start = pos;
        int look = pos;
        int nested = 0;
        while (look < src.length && (src[look] == '[' || isWhitespace(src[look]))) {
            if (src[look] == '[') {
                nested++;
            }
            look++;
        }
        if (depth + nested > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        byte first = look < src.length ? src[look] : 0;
        if (first == '-' || (first >= '0' && first <= '9') || first == 't' || first == 'f' || first == ']') {
            pos = ArrayTokens.matchingBracket(src, start);
            return new NumericArray(src, start, pos);
        }
        pos++;
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            skipWhitespace();
            byte c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string() {
        pos++;
        int start = pos;
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= src.length) {
                throw error("unterminated string");
            }
            byte c = src[pos];
            if (pos - start > maxStringBytes) {
                throw new MalformedJsonException("a JSON string at byte " + start + " is longer than " + maxStringBytes
                        + " bytes, the longest this API accepts");
            }
            if (c == '"') {
                String tail = new String(src, runStart, pos - runStart, StandardCharsets.UTF_8);
                pos++;
                return sb == null ? tail : sb.append(tail).toString();
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(new String(src, runStart, pos - runStart, StandardCharsets.UTF_8));
                pos++;
                byte e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append((char) e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > src.length) {
                            throw error("bad \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(new String(src, pos, 4, StandardCharsets.US_ASCII), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape '\\" + (char) e + "'");
                }
                runStart = pos;
                continue;
            }
            if ((c & 0xff) < 0x20) {
                throw error("control character in a string");
            }
            pos++;
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (pos < src.length && (Character.isDigit(src[pos]) || src[pos] == '.' || src[pos] == 'e' || src[pos] == 'E'
                || src[pos] == '+' || src[pos] == '-')) {
            pos++;
        }
        String text = new String(src, start, pos - start, StandardCharsets.US_ASCII);
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw error("malformed number '" + text + "'");
        }
    }

    private Object literal(String word, Object value) {
        byte[] w = word.getBytes(StandardCharsets.US_ASCII);
        if (pos + w.length > src.length) {
            throw error("unexpected end of JSON");
        }
        for (int i = 0; i < w.length; i++) {
            if (src[pos + i] != w[i]) {
                throw error("unexpected literal");
            }
        }
        pos += w.length;
        return value;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private byte peek() {
        return pos < src.length ? src[pos] : 0;
    }

    private byte next() {
        if (pos >= src.length) {
            throw error("unexpected end of JSON");
        }
        return src[pos++];
    }

    private void skipWhitespace() {
        while (pos < src.length && isWhitespace(src[pos])) {
            pos++;
        }
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private MalformedJsonException error(String what) {
        return new MalformedJsonException("invalid JSON at byte " + pos + ": " + what);
    }
}
