package dev.seraphim.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's JSON: maps, lists, strings, numbers and booleans, indented. */
final class JsonText {
    private JsonText() {
    }

    static String of(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            b.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        } else if (v instanceof Double d) {
            b.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(i++ == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                write(b, e.getKey().toString(), depth + 1);
                b.append(": ");
                write(b, e.getValue(), depth + 1);
            }
            b.append(m.isEmpty() ? "" : "\n" + "  ".repeat(depth)).append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ", ");
                write(b, l.get(i), depth + 1);
            }
            b.append(']');
        } else {
            write(b, v.toString(), depth);
        }
    }
}
