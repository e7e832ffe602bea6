package dev.seraphim.api.security;

/**
 * One key's rate limit: {@code burst} tokens, refilled at {@code ratePerSecond}; each request takes one.
 * Synchronized per bucket, so only requests of the same key ever wait on each other, and only for nanoseconds.
 */
public final class TokenBucket {
    private final double ratePerSecond;
    private final int burst;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
        this.ratePerSecond = ratePerSecond;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.lastNanos = nowNanos;
    }

    /** The outcome of one attempt: allowed or not, tokens left, and seconds until the next token / a full bucket. */
    public record Decision(boolean allowed, int remaining, long retryAfterSeconds, long resetSeconds, int limit) {
    }

    public synchronized Decision take(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - lastNanos) / 1e9 * ratePerSecond);
        lastNanos = nowNanos;
        boolean allowed = tokens >= 1;
        if (allowed) {
            tokens -= 1;
        }
        long retry = allowed ? 0 : (long) Math.ceil((1 - tokens) / ratePerSecond);
        long reset = (long) Math.ceil((burst - tokens) / ratePerSecond);
        return new Decision(allowed, (int) Math.floor(tokens), Math.max(allowed ? 0 : 1, retry), reset, burst);
    }

    public boolean sameLimits(double rate, int burst) {
        return this.ratePerSecond == rate && this.burst == Math.max(1, burst);
    }
}
