package dev.seraphim.api.security;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.ApiErrorMapper;
import dev.seraphim.api.RequestIds;
import jakarta.inject.Inject;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The container's 403 (a valid key whose role web.xml does not allow on the path), rendered in the error shape
 * of the API that was called instead of the server's HTML page, and written to the access audit.
 */
public class ForbiddenPage extends HttpServlet {
    @Inject
    AccessAudit audit;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri == null ? request.getRequestURI() : uri.toString();
        String key = request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName();
        String role = request.isUserInRole("admin") ? "admin" : request.isUserInRole("operator") ? "operator"
                : request.isUserInRole("client") ? "client" : "none";
        audit.record(request, path, key, 403, "forbidden");
        ErrorResponses.write(response, ApiErrorMapper.render(new ApiError(403, "Forbidden", "this API key's role (" + role
                + ") may not call " + path.replaceAll("[^A-Za-z0-9/._-]", "?")
                + "; see docs/security.md for what each role may do", null, "client_error"), path),
                String.valueOf(request.getAttribute(RequestIds.PROPERTY)));
    }
}
