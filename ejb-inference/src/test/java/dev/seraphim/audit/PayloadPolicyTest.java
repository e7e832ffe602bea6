package dev.seraphim.audit;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadPolicyTest {
    @Test
    void modesParseCaseInsensitively() {
        assertEquals(PayloadPolicy.Mode.HASH, PayloadPolicy.parse(" Hash ", 0.5).mode());
        assertFalse(PayloadPolicy.parse("none", 1).hashes());
        assertTrue(PayloadPolicy.parse("sample", 0.1).hashes());
    }

    @Test
    void samplingFollowsTheRate() {
        PayloadPolicy p = PayloadPolicy.parse("sample", 0.25);
        assertTrue(p.samples(0.1));
        assertFalse(p.samples(0.25));
        assertFalse(PayloadPolicy.parse("hash", 1).samples(0.0), "hash never copies");
    }

    @Test
    void badValuesAreConfigurationErrors() {
        assertThrows(IllegalArgumentException.class, () -> PayloadPolicy.parse("everything", 0.1));
        assertThrows(IllegalArgumentException.class, () -> PayloadPolicy.parse("sample", 1.5));
    }

    @Test
    void cursorsRoundTripAndRejectForgeries() {
        AuditQuery.Cursor c = new AuditQuery.Cursor(1_795_000_000_123_456L, 42);
        assertEquals(Optional.of(c), AuditQuery.Cursor.parse(c.token()));
        assertEquals(Optional.empty(), AuditQuery.Cursor.parse("1_2_3"));
        assertEquals(Optional.empty(), AuditQuery.Cursor.parse("x_1"));
        assertEquals(Optional.empty(), AuditQuery.Cursor.parse("99999999999999999999_1"));
        assertEquals(Optional.empty(), AuditQuery.Cursor.parse(null));
    }
}
