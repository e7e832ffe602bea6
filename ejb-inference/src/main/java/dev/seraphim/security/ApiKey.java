package dev.seraphim.security;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** An API key as stored: its role and limits, and salted hashes of its secret (and of the previous one while a rotation's grace lasts). */
@Entity
@Table(name = "api_key")
public class ApiKey {
    @Id
    private String id;
    private String name;
    private String role;
    @Column(name = "allowed_models")
    private String allowedModels;
    private String salt;
    @Column(name = "secret_hash")
    private String secretHash;
    @Column(name = "previous_salt")
    private String previousSalt;
    @Column(name = "previous_secret_hash")
    private String previousSecretHash;
    @Column(name = "previous_valid_until")
    private Instant previousValidUntil;
    @Column(name = "expires_at")
    private Instant expiresAt;
    @Column(name = "rate_per_second")
    private Double ratePerSecond;
    private Integer burst;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;
    @Column(name = "revoked_by")
    private String revokedBy;
    @Column(name = "updated_at")
    private Instant updatedAt;

    protected ApiKey() {
    }

    public ApiKey(String id, String name, Role role, List<String> allowedModels, String salt, String secretHash,
                  Instant expiresAt, Double ratePerSecond, Integer burst, String createdBy) {
        this.id = id;
        this.name = name;
        this.role = role.roleName();
        this.allowedModels = allowedModels == null || allowedModels.isEmpty() ? null : String.join(",", allowedModels);
        this.salt = salt;
        this.secretHash = secretHash;
        this.expiresAt = expiresAt;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.createdBy = createdBy;
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }

    /** The new secret takes over now; the old one keeps working until {@code graceEnds}. */
    void rotate(String newSalt, String newHash, Instant graceEnds) {
        previousSalt = salt;
        previousSecretHash = secretHash;
        previousValidUntil = graceEnds;
        salt = newSalt;
        secretHash = newHash;
        updatedAt = Instant.now();
    }

    void revoke(String actor) {
        revokedAt = Instant.now();
        revokedBy = actor;
        updatedAt = revokedAt;
    }

    public String id() { return id; }
    public String name() { return name; }
    public Role role() { return Role.parse(role); }
    /** Empty: every model. */
    public List<String> allowedModels() { return allowedModels == null ? List.of() : Arrays.asList(allowedModels.split(",")); }
    public String salt() { return salt; }
    public String secretHash() { return secretHash; }
    public String previousSalt() { return previousSalt; }
    public String previousSecretHash() { return previousSecretHash; }
    public Instant previousValidUntil() { return previousValidUntil; }
    public Instant expiresAt() { return expiresAt; }
    public Double ratePerSecond() { return ratePerSecond; }
    public Integer burst() { return burst; }
    public String createdBy() { return createdBy; }
    public Instant createdAt() { return createdAt; }
    public Instant revokedAt() { return revokedAt; }
    public Instant updatedAt() { return updatedAt; }
}
