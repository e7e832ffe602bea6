package dev.seraphim.api.edge;

import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.security.CurrentCaller;
import dev.seraphim.api.security.ErrorResponses;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The first look at a request, before authentication's results are used and before any resource: a request
 * target with characters a URI may not hold is refused with 400 in the called API's error shape, and a body
 * is read through {@link SlowBodies} (a minimum data rate, and a cap on the bodies one key may be sending at once).
 */
public class EdgeChecks implements Filter {
    @Inject
    SlowBodies slowBodies;

    @Inject
    CurrentCaller caller;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String illegal = RequestTargets.firstIllegal(request.getRequestURI(), request.getQueryString());
        if (illegal != null) {
            ErrorResponses.write(request, response, safePath(request.getRequestURI()), new ApiError(400, "Bad Request",
                    "the request's URI holds " + illegal + ", which must be percent-encoded (RFC 3986)", null, "client_error"));
            return;
        }
        if (!SlowBodies.hasBody(request)) {
            chain.doFilter(req, res);
            return;
        }
        String key = caller.get().map(dev.seraphim.security.Caller::keyId).orElse("anonymous");
        SlowBodies.Upload upload = slowBodies.begin(key, request.getContentLengthLong());
        try {
            chain.doFilter(new SlowBodies.GuardedRequest(request, upload), res);
        } finally {
            upload.end();
        }
    }

    /** The path for choosing the error's shape only: an illegal character is never echoed into a response. */
    private static String safePath(String uri) {
        return uri == null ? "/" : uri.replaceAll("[^A-Za-z0-9/._-]", "_");
    }
}
