package dev.seraphim.api.security;

import jakarta.security.enterprise.credential.Credential;

/** A secret presented as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. */
public record ApiKeyCredential(String secret) implements Credential {
    @Override
    public void clear() {
        // the secret is a String held only for this request; nothing native to wipe
    }

    @Override
    public String toString() {
        return "ApiKeyCredential[secret=***]";
    }
}
