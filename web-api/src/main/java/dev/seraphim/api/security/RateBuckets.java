package dev.seraphim.api.security;

import dev.seraphim.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Every key's token bucket on this replica (the key's own rate and burst, else the server's defaults), one for all
 * the ways in: REST requests and gRPC calls of a key take from the same bucket.
 */
@ApplicationScoped
public class RateBuckets {
    @Inject
    @ConfigProperty(name = "seraphim.security.rate.per.second", defaultValue = "500")
    double defaultRate;

    @Inject
    @ConfigProperty(name = "seraphim.security.rate.burst", defaultValue = "1000")
    int defaultBurst;

    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** One request's attempt, with the limits it was judged by. */
    public record Attempt(TokenBucket.Decision decision, double rate, int burst) {
        public boolean allowed() {
            return decision.allowed();
        }

        /** What a refused caller is told. */
        public String refusal() {
            return "this API key's rate limit (" + rate + " requests/s, burst " + burst + ") is exhausted; retry after "
                    + decision.retryAfterSeconds() + " s";
        }
    }

    public Attempt take(Caller c) {
        double rate = c.ratePerSecond() != null ? c.ratePerSecond() : defaultRate;
        int burst = c.burst() != null ? c.burst() : defaultBurst;
        TokenBucket bucket = buckets.compute(c.keyId(), (id, b) -> b != null && b.sameLimits(rate, burst) ? b
                : new TokenBucket(rate, burst, System.nanoTime()));
        return new Attempt(bucket.take(System.nanoTime()), rate, burst);
    }
}
