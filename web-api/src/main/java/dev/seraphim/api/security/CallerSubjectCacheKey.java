package dev.seraphim.api.security;

import jakarta.security.enterprise.identitystore.CredentialValidationResult;

import javax.security.auth.Subject;
import java.util.Hashtable;
import java.util.TreeSet;

/**
 * Names a caller's subject for Liberty's authentication cache. Without a name Liberty runs its JAAS login (and
 * builds the caller's credentials) for every request, about a tenth of a small inference's CPU; with one, the
 * first request of a caller builds the subject and the later ones take it from the cache. The key itself is still
 * verified on every request before this (the identity store): the cache only keeps what a subject holds, the
 * caller and its groups, and both are in the name, so a key whose role changed gets a subject of its own.
 */
final class CallerSubjectCacheKey {
    /** Liberty's {@code AttributeNameConstants.WSCREDENTIAL_CACHE_KEY}, read from the login's hashtable. */
    static final String ATTRIBUTE = "com.ibm.wsspi.security.cred.cacheKey";

    private CallerSubjectCacheKey() {
    }

    static String of(CredentialValidationResult result) {
        return "seraphim-api-key:" + result.getCallerPrincipal().getName() + ":" + String.join(",", new TreeSet<>(result.getCallerGroups()));
    }

    /**
     * Adds the name to the hashtable that Liberty's JASPIC callbacks put into the client subject (its login reads
     * the first one); a subject without one is left as it is, and Liberty logs in as before.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void attach(Subject client, CredentialValidationResult result) {
        if (client == null) {
            return;
        }
        String name = of(result);
        for (Hashtable credentials : client.getPrivateCredentials(Hashtable.class)) {
            credentials.put(ATTRIBUTE, name);
        }
    }
}
