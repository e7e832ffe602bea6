package dev.seraphim.api.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    private static final long S = 1_000_000_000L;

    @Test
    void theBurstPassesThenTheRateRefills() {
        TokenBucket b = new TokenBucket(2, 3, 0);
        assertTrue(b.take(0).allowed());
        assertTrue(b.take(0).allowed());
        TokenBucket.Decision last = b.take(0);
        assertTrue(last.allowed());
        assertEquals(0, last.remaining());
        TokenBucket.Decision refused = b.take(0);
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds(), "one token at 2/s is half a second away: rounded up to 1 s");
        assertTrue(b.take(S / 2).allowed(), "half a second later one token is back");
        assertFalse(b.take(S / 2).allowed());
    }

    @Test
    void tokensNeverExceedTheBurst() {
        TokenBucket b = new TokenBucket(100, 5, 0);
        TokenBucket.Decision d = b.take(3600 * S);
        assertEquals(4, d.remaining());
        assertEquals(5, d.limit());
    }

    @Test
    void slowRatesGiveLongRetries() {
        TokenBucket b = new TokenBucket(0.1, 1, 0);
        assertTrue(b.take(0).allowed());
        TokenBucket.Decision d = b.take(0);
        assertFalse(d.allowed());
        assertEquals(10, d.retryAfterSeconds());
    }
}
