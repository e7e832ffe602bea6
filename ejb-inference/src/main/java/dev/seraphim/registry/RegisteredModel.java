package dev.seraphim.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.OffsetDateTime;
import java.util.Optional;

/** A model in the registry: its name, description, owner, and which version is the default (and was before). */
@Entity
@Table(name = "registered_model")
public class RegisteredModel {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(nullable = false, unique = true)
    private String name;
    private String description;
    private String owner;
    @Column(name = "default_version")
    private String defaultVersion;
    @Column(name = "previous_default_version")
    private String previousDefaultVersion;
    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;
    /** the traffic policy's JSON (TrafficPolicy), null for none */
    private String traffic;
    @Version
    @Column(name = "lock_version")
    private long lockVersion;

    protected RegisteredModel() {
    }

    RegisteredModel(String name, String description, String owner) {
        this.name = name;
        this.description = description;
        this.owner = owner;
        this.createdAt = OffsetDateTime.now();
    }

    /** Makes {@code version} the default, remembering the one it replaces for a rollback. */
    void makeDefault(String version) {
        if (version.equals(defaultVersion)) {
            return;
        }
        previousDefaultVersion = defaultVersion;
        defaultVersion = version;
    }

    /** Back to the previous default; the current one becomes the previous, so that a rollback can be undone. */
    String rollBack() {
        if (previousDefaultVersion == null) {
            throw new RegistryConflictException("model " + name + " has no previous default version to roll back to");
        }
        String target = previousDefaultVersion;
        previousDefaultVersion = defaultVersion;
        defaultVersion = target;
        return target;
    }

    void forgetVersion(String version) {
        if (version.equals(previousDefaultVersion)) {
            previousDefaultVersion = null;
        }
        if (version.equals(defaultVersion)) {
            defaultVersion = null;
        }
    }

    public Long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public String owner() {
        return owner;
    }

    public Optional<String> defaultVersion() {
        return Optional.ofNullable(defaultVersion);
    }

    public Optional<String> traffic() {
        return Optional.ofNullable(traffic);
    }

    void traffic(String policyJson) {
        this.traffic = policyJson;
    }

    public Optional<String> previousDefaultVersion() {
        return Optional.ofNullable(previousDefaultVersion);
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }
}
