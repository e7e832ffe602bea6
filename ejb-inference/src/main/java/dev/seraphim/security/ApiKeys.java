package dev.seraphim.security;

import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Creates, lists, rotates and revokes API keys in the database; the secret is returned once and never stored. */
@Stateless
public class ApiKeys {
    @PersistenceContext(unitName = "seraphim")
    EntityManager em;

    /** A key just made or rotated, with the only copy of its secret. */
    public record Issued(ApiKey key, String secret) {
    }

    public Issued create(String name, Role role, List<String> allowedModels, Instant expiresAt, Double ratePerSecond,
                         Integer burst, String actor) {
        String id = KeySecrets.newId();
        String secret = KeySecrets.newSecret(id);
        String salt = KeySecrets.newSalt();
        ApiKey key = new ApiKey(id, name, role, allowedModels, salt, KeySecrets.hash(salt, secret), expiresAt,
                ratePerSecond, burst, actor);
        em.persist(key);
        return new Issued(key, secret);
    }

    public List<ApiKey> all() {
        return em.createQuery("select k from ApiKey k order by k.createdAt desc", ApiKey.class).getResultList();
    }

    public ApiKey find(String id) {
        ApiKey key = em.find(ApiKey.class, id);
        if (key == null) {
            throw new KeyNotFoundException(id);
        }
        return key;
    }

    public Issued rotate(String id, Duration grace) {
        ApiKey key = find(id);
        if (key.revokedAt() != null) {
            throw new KeyNotFoundException(id);
        }
        String secret = KeySecrets.newSecret(id);
        String salt = KeySecrets.newSalt();
        key.rotate(salt, KeySecrets.hash(salt, secret), Instant.now().plus(grace));
        return new Issued(key, secret);
    }

    public ApiKey revoke(String id, String actor) {
        ApiKey key = find(id);
        if (key.revokedAt() == null) {
            key.revoke(actor);
        }
        return key;
    }

    /** Keys changed at or after {@code since} (revocations included), for every replica's cache. */
    public List<ApiKey> changedSince(Instant since) {
        return em.createQuery("select k from ApiKey k where k.updatedAt >= :t", ApiKey.class).setParameter("t", since).getResultList();
    }
}
