package dev.seraphim.api.security;

import dev.seraphim.api.errors.ApiError;
import dev.seraphim.security.Caller;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Optional;

/**
 * Per-key rate limits (token bucket; the key's own rate and burst, else the server defaults), answered with
 * 429, Retry-After and the RateLimit-* headers; limits are per server replica. Also writes every management
 * call (any method but GET/HEAD outside inference) to the access audit with its outcome.
 */
public class RateLimits implements Filter {
    @Inject
    CurrentCaller current;

    @Inject
    AccessAudit audit;

    @Inject
    RateBuckets rates;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Optional<Caller> caller = request.getUserPrincipal() == null ? Optional.empty() : current.get();
        if (caller.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        Caller c = caller.get();
        RateBuckets.Attempt attempt = rates.take(c);
        TokenBucket.Decision d = attempt.decision();
        response.setHeader("RateLimit-Limit", Integer.toString(d.limit()));
        response.setHeader("RateLimit-Remaining", Integer.toString(d.remaining()));
        response.setHeader("RateLimit-Reset", Long.toString(d.resetSeconds()));
        if (!d.allowed()) {
            audit.record(request, c.keyId(), 429, "rate_limited");
            ErrorResponses.write(request, response, request.getRequestURI(), new ApiError(429, "Too Many Requests",
                    attempt.refusal(), (int) d.retryAfterSeconds(), "rejected"));
            return;
        }
        chain.doFilter(req, res);
        if (isManagement(request)) {
            audit.record(request, c.keyId(), response.getStatus(), "management");
        }
    }

    private static boolean isManagement(HttpServletRequest request) {
        String m = request.getMethod();
        if ("GET".equals(m) || "HEAD".equals(m) || "OPTIONS".equals(m)) {
            return false;
        }
        String p = request.getRequestURI();
        return !(p.startsWith("/v2/") || p.startsWith("/v1/") || p.startsWith("/predictions/") || p.equals("/api/v1/predict"));
    }
}
