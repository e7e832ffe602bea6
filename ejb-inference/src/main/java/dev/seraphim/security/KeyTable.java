package dev.seraphim.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys a server accepts, as a plain object: {@link KeyDirectory} owns it and refreshes it, and the request
 * path asks it directly, so that authenticating a request is a map lookup and an HMAC rather than a call
 * through the EJB container (a tenth of a small request's server time in a profile).
 */
public final class KeyTable {
    /** A stored key with the caller it authenticates as, built once per refresh rather than per request. */
    private record Known(ApiKey key, Caller caller) {
        static Known of(ApiKey k) {
            return new Known(k, new Caller(k.id(), k.role(), Set.copyOf(k.allowedModels()), k.ratePerSecond(), k.burst(),
                    KeySecrets.pseudonym(k.id())));
        }
    }

    private static final Caller BOOTSTRAP = new Caller(KeyDirectory.BOOTSTRAP_ID, Role.ADMIN, Set.of(), null, null,
            KeySecrets.pseudonym(KeyDirectory.BOOTSTRAP_ID));

    private volatile Map<String, Known> byId = Map.of();
    private volatile byte[] bootstrapDigest;

    void acceptBootstrap(String secret) {
        bootstrapDigest = digest(secret);
    }

    boolean acceptsBootstrap() {
        return bootstrapDigest != null;
    }

    /** Replaces every stored key (a refresh from the database). */
    synchronized void replace(Collection<ApiKey> keys) {
        Map<String, Known> fresh = new HashMap<>();
        keys.forEach(k -> fresh.put(k.id(), Known.of(k)));
        byId = Map.copyOf(fresh);
    }

    /** Applies one changed key at once. */
    synchronized void put(ApiKey key) {
        Map<String, Known> copy = new HashMap<>(byId);
        copy.put(key.id(), Known.of(key));
        byId = Map.copyOf(copy);
    }

    int size() {
        return byId.size();
    }

    boolean hasLiveAdmin() {
        return byId.values().stream().anyMatch(k -> k.key().revokedAt() == null && k.key().role() == Role.ADMIN);
    }

    /** The caller a presented secret stands for, if it is a live key's current secret (or its previous one within the grace). */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 200) {
            return Optional.empty();
        }
        Known known = KeySecrets.idOf(presented).map(byId::get).orElse(null);
        if (known == null) {
            // not one of the stored keys: perhaps the bootstrap key (hashed only on this path)
            byte[] bootstrap = bootstrapDigest;
            return bootstrap != null && MessageDigest.isEqual(bootstrap, digest(presented)) ? Optional.of(BOOTSTRAP) : Optional.empty();
        }
        ApiKey key = known.key();
        Instant now = Instant.now();
        if (key.revokedAt() != null || (key.expiresAt() != null && !now.isBefore(key.expiresAt()))) {
            return Optional.empty();
        }
        boolean current = KeySecrets.matches(presented, key.salt(), key.secretHash());
        boolean previous = !current && key.previousValidUntil() != null && now.isBefore(key.previousValidUntil())
                && KeySecrets.matches(presented, key.previousSalt(), key.previousSecretHash());
        return current || previous ? Optional.of(known.caller()) : Optional.empty();
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
