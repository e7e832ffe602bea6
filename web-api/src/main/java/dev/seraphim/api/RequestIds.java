package dev.seraphim.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's X-Request-Id when it is a plain token, else the trace id of a W3C
 * traceparent, else a new one. The id is echoed in the response's X-Request-Id and written in the access line.
 */
@Provider
@PreMatching
public class RequestIds implements ContainerRequestFilter, ContainerResponseFilter {
    public static final String HEADER = "X-Request-Id";
    public static final String PROPERTY = "seraphim.request.id";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(PROPERTY, idOf(request.getHeaderString(HEADER), request.getHeaderString("traceparent")));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) {
            response.getHeaders().putSingle(HEADER, id);
        }
    }

    static String idOf(String requestId, String traceparent) {
        if (requestId != null && TOKEN.matcher(requestId).matches()) {
            return requestId;
        }
        if (traceparent != null) {
            Matcher m = TRACEPARENT.matcher(traceparent.trim());
            if (m.matches() && !m.group(1).equals("0".repeat(32))) {
                return m.group(1);
            }
        }
        return UUID.randomUUID().toString();
    }
}
