package dev.seraphim.security;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeySecretsTest {
    @Test
    void aSecretNamesItsKeyAndMatchesOnlyItsOwnHash() {
        String id = KeySecrets.newId();
        String secret = KeySecrets.newSecret(id);
        assertEquals(Optional.of(id), KeySecrets.idOf(secret));
        String salt = KeySecrets.newSalt();
        String hash = KeySecrets.hash(salt, secret);
        assertTrue(KeySecrets.matches(secret, salt, hash));
        assertFalse(KeySecrets.matches(secret + "x", salt, hash));
        assertFalse(KeySecrets.matches(secret, KeySecrets.newSalt(), hash), "the salt is part of the hash");
        assertNotEquals(hash, KeySecrets.hash(KeySecrets.newSalt(), secret));
    }

    @Test
    void secretsAndIdsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(KeySecrets.newSecret(KeySecrets.newId())));
        }
    }

    @Test
    void foreignTokensNameNoKey() {
        assertEquals(Optional.empty(), KeySecrets.idOf("Bearer abc"));
        assertEquals(Optional.empty(), KeySecrets.idOf("sk__abc"));
        assertEquals(Optional.empty(), KeySecrets.idOf("sk_UPPER_abc"));
        assertEquals(Optional.empty(), KeySecrets.idOf(null));
        assertEquals(Optional.empty(), KeySecrets.idOf("sk_" + "a".repeat(200)));
    }
}
