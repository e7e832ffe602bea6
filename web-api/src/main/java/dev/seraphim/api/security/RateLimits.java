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
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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
    @ConfigProperty(name = "seraphim.security.rate.per.second", defaultValue = "500")
    double defaultRate;

    @Inject
    @ConfigProperty(name = "seraphim.security.rate.burst", defaultValue = "1000")
    int defaultBurst;

    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

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
        double rate = c.ratePerSecond() != null ? c.ratePerSecond() : defaultRate;
        int burst = c.burst() != null ? c.burst() : defaultBurst;
        TokenBucket bucket = buckets.compute(c.keyId(), (id, b) -> b != null && b.sameLimits(rate, burst) ? b
                : new TokenBucket(rate, burst, System.nanoTime()));
        TokenBucket.Decision d = bucket.take(System.nanoTime());
        response.setHeader("RateLimit-Limit", Integer.toString(d.limit()));
        response.setHeader("RateLimit-Remaining", Integer.toString(d.remaining()));
        response.setHeader("RateLimit-Reset", Long.toString(d.resetSeconds()));
        if (!d.allowed()) {
            audit.record(request, c.keyId(), 429, "rate_limited");
            ErrorResponses.write(request, response, request.getRequestURI(), new ApiError(429, "Too Many Requests",
                    "this API key's rate limit (" + rate + " requests/s, burst " + burst + ") is exhausted; retry after "
                            + d.retryAfterSeconds() + " s", (int) d.retryAfterSeconds(), "rejected"));
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
