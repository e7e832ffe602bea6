package dev.seraphim.api.security;

import dev.seraphim.api.RequestIds;
import dev.seraphim.security.AccessAuditTrail;
import dev.seraphim.security.AccessEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;

import java.time.Instant;

/** Records one access event of an HTTP request: who (key id), from where (masked), what (method and path), and how it ended. */
@ApplicationScoped
public class AccessAudit {
    @Inject
    AccessAuditTrail trail;

    public void record(HttpServletRequest request, String keyId, int status, String event) {
        record(request, request.getRequestURI(), keyId, status, event);
    }

    public void record(HttpServletRequest request, String path, String keyId, int status, String event) {
        path = path == null ? "-" : path.length() > 512 ? path.substring(0, 512) : path;
        String method = request.getMethod();
        method = method == null ? "-" : method.length() > 16 ? method.substring(0, 16) : method;
        trail.record(new AccessEvent(Instant.now(), String.valueOf(request.getAttribute(RequestIds.PROPERTY)), keyId,
                RequestIds.origin(request).maskedClientAddress(), method, path, status, event));
    }
}
