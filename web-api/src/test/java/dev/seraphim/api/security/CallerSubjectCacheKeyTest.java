package dev.seraphim.api.security;

import jakarta.security.enterprise.CallerPrincipal;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import org.junit.jupiter.api.Test;

import javax.security.auth.Subject;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallerSubjectCacheKeyTest {
    private static CredentialValidationResult caller(String keyId, String... groups) {
        return new CredentialValidationResult("seraphim", new CallerPrincipal(keyId), null, keyId,
                new LinkedHashSet<>(List.of(groups)));
    }

    @Test
    void theNameHoldsTheCallerAndItsGroupsInOneOrder() {
        assertEquals("seraphim-api-key:k1:admin,client", CallerSubjectCacheKey.of(caller("k1", "client", "admin")));
        assertEquals(CallerSubjectCacheKey.of(caller("k1", "client", "admin")), CallerSubjectCacheKey.of(caller("k1", "admin", "client")));
        assertNotEquals(CallerSubjectCacheKey.of(caller("k1", "client")), CallerSubjectCacheKey.of(caller("k2", "client")),
                "two keys never share a subject");
        assertNotEquals(CallerSubjectCacheKey.of(caller("k1", "client")), CallerSubjectCacheKey.of(caller("k1", "operator")),
                "a key whose role changed gets a subject of its own");
    }

    @Test
    void theNameGoesIntoTheLoginsHashtable() {
        Subject client = new Subject();
        Hashtable<String, Object> login = new Hashtable<>();
        login.put("com.ibm.wsspi.security.cred.securityName", "k1");
        client.getPrivateCredentials().add(login);
        client.getPrivateCredentials().add("not a hashtable");

        CallerSubjectCacheKey.attach(client, caller("k1", "client"));

        assertEquals("seraphim-api-key:k1:client", login.get(CallerSubjectCacheKey.ATTRIBUTE));
        assertEquals("k1", login.get("com.ibm.wsspi.security.cred.securityName"), "the rest of the login is untouched");
    }

    @Test
    void aSubjectWithoutAHashtableIsLeftAsItIs() {
        Subject client = new Subject();
        CallerSubjectCacheKey.attach(client, caller("k1", "client"));
        CallerSubjectCacheKey.attach(null, caller("k1", "client"));
        assertTrue(client.getPrivateCredentials().isEmpty());
        assertTrue(client.getPublicCredentials().isEmpty());
        assertEquals(Set.of(), client.getPrincipals());
    }
}
