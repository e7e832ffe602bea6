package dev.seraphim.api.errors;

import jakarta.ws.rs.WebApplicationException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RESTEasy's refusals of a query, path or header parameter that does not convert (an 'abc' where an integer
 * is declared) say so in a message that names the resource method's Java signature. The caller gets the
 * parameter's name and the fact that its form is wrong, as 400, and nothing of the server's code.
 */
final class ParameterErrors {
    private static final Pattern PARAM = Pattern.compile("(Query|Path|Header|Form|Matrix|Cookie)Param\\(\"([^\"]{1,64})\"\\)");

    private ParameterErrors() {
    }

    /** The caller's message when {@code w} is a parameter that did not convert; empty for anything else. */
    static Optional<String> parameter(WebApplicationException w) {
        String text = w.getMessage();
        if (text == null || !text.startsWith("RESTEASY")) {
            return Optional.empty();
        }
        Matcher m = PARAM.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        String kind = m.group(1).toLowerCase(java.util.Locale.ROOT);
        return Optional.of("the " + kind + " parameter '" + printable(m.group(2)) + "' has the wrong form: "
                + "see /openapi for its type (an integer or a boolean, say)");
    }

    /** A WebApplicationException's message fit for a caller: RESTEasy's own texts name Java classes. */
    static String message(WebApplicationException w) {
        String text = w.getMessage();
        if (text == null || text.startsWith("RESTEASY") || text.contains("java.") || text.contains("dev.seraphim")) {
            int status = w.getResponse().getStatus();
            return status == 400 ? "the request cannot be read: check its parameters, headers and body against /openapi"
                    : "the request was refused (" + status + ")";
        }
        return text;
    }

    private static String printable(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
