package dev.seraphim.api.security;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes an error rendered for JAX-RS (status, headers, body) to a servlet response, outside JAX-RS. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static void write(HttpServletResponse response, Response rendered, String requestId) {
        try {
            response.setStatus(rendered.getStatus());
            if (rendered.getMediaType() != null) {
                response.setContentType(rendered.getMediaType().toString());
            }
            rendered.getStringHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            if (requestId != null) {
                response.setHeader(dev.seraphim.api.RequestIds.HEADER, requestId);
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
