package dev.seraphim.traffic;

import dev.seraphim.security.Caller;
import dev.seraphim.security.Role;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficPolicyTest {
    private static TrafficPolicy policy(String json) {
        return TrafficPolicy.fromJson(Json.createReader(new StringReader(json)).readObject(), Optional.of("1"), Set.of("1", "2", "3"));
    }

    @Test
    void raisingACandidateMovesOnlyTheUsersItMustAndOnlyFromTheDefault() {
        TrafficPolicy ten = policy("{\"weights\": {\"2\": 10, \"1\": 90}, \"sticky\": {\"header\": \"X-User-Id\"}}");
        TrafficPolicy twenty = policy("{\"weights\": {\"1\": 80, \"2\": 20}, \"sticky\": {\"header\": \"X-User-Id\"}}");
        int moved = 0;
        int onCandidate = 0;
        for (int u = 0; u < 10_000; u++) {
            Map<String, String> headers = Map.of("X-User-Id", "user-" + u);
            String before = ten.choose(headers::get, Optional.empty());
            String after = twenty.choose(headers::get, Optional.empty());
            assertEquals(before, ten.choose(headers::get, Optional.empty()), "the same user, the same version");
            if (!before.equals(after)) {
                assertEquals("1", before, "only the default's users move");
                assertEquals("2", after);
                moved++;
            }
            onCandidate += before.equals("2") ? 1 : 0;
        }
        // 10 % of 10 000 users in each case, within 4 standard deviations (sqrt(10 000 x 0.1 x 0.9) = 30)
        assertTrue(Math.abs(onCandidate - 1000) < 120, "users on the 10 % candidate: " + onCandidate);
        assertTrue(Math.abs(moved - 1000) < 120, "users moved by 10 -> 20 %: " + moved);
    }

    @Test
    void theApiKeyKeepsACallerOnOneVersion() {
        TrafficPolicy byKey = policy("{\"weights\": {\"1\": 50, \"2\": 50}, \"sticky\": {\"key\": true}}");
        Map<String, Integer> seen = new HashMap<>();
        for (int k = 0; k < 200; k++) {
            Caller caller = new Caller("key-" + k, Role.CLIENT, Set.of(), null, null, "h");
            String v = byKey.choose(h -> null, Optional.of(caller));
            for (int i = 0; i < 5; i++) {
                assertEquals(v, byKey.choose(h -> null, Optional.of(caller)));
            }
            seen.merge(v, 1, Integer::sum);
        }
        assertEquals(Set.of("1", "2"), seen.keySet(), "both halves are used: " + seen);
    }

    @Test
    void badPoliciesAreRefusedNamingTheProblem() {
        assertRefused("{\"weights\": {\"1\": 90, \"2\": 5}}", "weights must sum to 100, not 95");
        assertRefused("{\"weights\": {\"1\": 90, \"9\": 10}}", "version 9 is not loaded");
        assertRefused("{\"weights\": {\"1\": 90.5, \"2\": 9.5}}", "whole percent");
        assertRefused("{\"weights\": {}}", "'weights' must be an object");
        assertRefused("{\"weights\": {\"1\": 100}, \"sticky\": {\"cookie\": \"x\"}}", "'sticky' must be");
        JsonObject stored = policy("{\"weights\": {\"3\": 30, \"2\": 20, \"1\": 50}}").toJson();
        assertEquals("{\"1\":50,\"2\":20,\"3\":30}", stored.getJsonObject("weights").toString(), "the default first, then by version");
    }

    private static void assertRefused(String json, String says) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy(json));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
