package dev.seraphim.api;

import dev.seraphim.api.errors.ApiError;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Model names, versions and ids in a path are checked against the forms the registry stores before any
 * resource runs: a name longer than its column once reached the management audit's INSERT and was answered
 * as a database outage (503, "retry later"), so a caller retried for ever. Refused here with 400 naming the
 * parameter and its form.
 */
@Provider
public class PathNames implements ContainerRequestFilter {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    @Override
    public void filter(ContainerRequestContext request) {
        MultivaluedMap<String, String> params = request.getUriInfo().getPathParameters();
        check(params.get("model"), "model name", ModelDescriptors.MODEL_NAME);
        check(params.get("name"), "name", ModelDescriptors.MODEL_NAME);
        check(params.get("version"), "version", ModelDescriptors.VERSION);
        check(params.get("id"), "id", ID);
    }

    private static void check(List<String> values, String what, Pattern form) {
        if (values == null) {
            return;
        }
        for (String v : values) {
            if (!form.matcher(v).matches()) {
                throw new ApiError.BadRequestException("the path's " + what + " '" + shorten(v) + "' is refused: " + what
                        + " must match " + form.pattern() + " (at most " + maxLength(form) + " characters)");
            }
        }
    }

    private static String maxLength(Pattern form) {
        return form == ID ? "128" : form == ModelDescriptors.VERSION ? "64" : "128";
    }

    private static String shorten(String v) {
        String printable = v.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
