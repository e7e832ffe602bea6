package dev.seraphim.api.edge;

/**
 * Whether a request target is made only of the characters RFC 3986 allows in a path and query. Liberty hands
 * an unencoded '{', '<' or '|' through; RESTEasy then failed to build the request's URI (URISyntaxException),
 * which surfaced as a 500 with a SEVERE stack in the log for every such request.
 */
public final class RequestTargets {
    private RequestTargets() {
    }

    /** The first character that may not appear unencoded, as a caller can read it; null when all are allowed. */
    public static String firstIllegal(String rawPath, String rawQuery) {
        String bad = firstIllegal(rawPath, false);
        return bad != null || rawQuery == null ? bad : firstIllegal(rawQuery, true);
    }

    private static String firstIllegal(String s, boolean query) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return "'%' not followed by two hexadecimal digits";
                }
                i += 2;
            } else if (!allowed(c, query)) {
                return c < 0x21 || c > 0x7e ? "a character of code " + (int) c : "'" + c + "'";
            }
        }
        return null;
    }

    private static boolean allowed(char c, boolean query) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/' -> true;
            case '?' -> query;
            default -> false;
        };
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
