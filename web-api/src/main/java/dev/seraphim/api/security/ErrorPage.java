package dev.seraphim.api.security;

import dev.seraphim.api.errors.ApiError;
import jakarta.inject.Inject;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Errors the container answers before any resource runs — 403 from web.xml's role check, 400 for a URI it
 * refuses (an encoded slash), 404/405 outside JAX-RS, anything thrown — rendered in the error shape of the
 * API that was called instead of the server's HTML page (which names exception classes). 403s go to the
 * access audit.
 */
public class ErrorPage extends HttpServlet {
    private static final Logger LOG = Logger.getLogger(ErrorPage.class.getName());

    @Inject
    AccessAudit audit;

    @Inject
    CurrentCaller caller;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri == null ? request.getRequestURI() : uri.toString();
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        Object thrown = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String safePath = path.replaceAll("[^A-Za-z0-9/._-]", "?");
        String message;
        switch (status) {
            case 403 -> {
                String key = request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName();
                String role = caller.get().map(c -> c.role().roleName()).orElse("none");
                audit.record(request, path, key, 403, "forbidden");
                message = "this API key's role (" + role + ") may not call " + safePath + "; see docs/security.md for what each role may do";
            }
            case 400 -> message = "the request cannot be read: check the URI's encoding (no encoded '/' or '\\\\', valid UTF-8), headers and body";
            case 404 -> message = "no such resource; see /openapi for the API";
            case 405 -> message = "this method is not allowed on this resource";
            default -> {
                if (status >= 500 && thrown instanceof Throwable t) {
                    if (response.isCommitted()) {
                        // Liberty's security audit fails on a malformed Basic header after the application has answered
                        // (400); the caller has its answer, the failure is Liberty's (docs/reliability.md)
                        LOG.warning("after the answer to " + safePath + " was sent, the container failed: " + t);
                        return;
                    }
                    LOG.log(Level.SEVERE, "unexpected failure while serving " + safePath, t);
                }
                message = status >= 500 ? "the server failed to process the request; the failure was logged" : "the request was refused";
            }
        }
        ErrorResponses.write(request, response, path, new ApiError(status, reason(status), message, null,
                status >= 500 ? "server_error" : "client_error"));
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
