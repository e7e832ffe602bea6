package dev.seraphim.api;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestIdsTest {
    @Test
    void generatedIdsAreDistinctVersionFourUuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.newId();
            UUID uuid = UUID.fromString(id);
            assertEquals(4, uuid.version(), id);
            assertEquals(2, uuid.variant(), id);
            assertEquals(id, uuid.toString());
            assertTrue(seen.add(id), "repeated id " + id);
        }
    }

    @Test
    void aCallersIdOrTraceIsKeptAndOtherwiseOneIsMade() {
        assertEquals("abc-123", RequestIds.idOf("abc-123", null));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                RequestIds.idOf(null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assertEquals(4, UUID.fromString(RequestIds.idOf(null, "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")).version());
        assertEquals(4, UUID.fromString(RequestIds.idOf("bad id with spaces", null)).version());
    }
}
