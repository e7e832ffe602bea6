package dev.seraphim.api.security;

import dev.seraphim.api.RequestIds;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorStyle;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Answers an error outside JAX-RS (authentication, rate limits, the container's error pages) exactly as the
 * exception mapper would, in the shape of the API that {@code path} belongs to.
 */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, String path, ApiError error) {
        Response rendered = ErrorStyle.forPath(path).render(error, path.startsWith("/") ? path : "/" + path);
        Object requestId = request.getAttribute(RequestIds.PROPERTY);
        try {
            response.setStatus(rendered.getStatus());
            if (rendered.getMediaType() != null) {
                response.setContentType(rendered.getMediaType().toString());
            }
            rendered.getStringHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            if (requestId != null) {
                response.setHeader(RequestIds.HEADER, requestId.toString());
            }
            Object entity = rendered.getEntity();
            byte[] body = entity instanceof byte[] b ? b : String.valueOf(entity).getBytes(StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.flushBuffer();
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }
}
