package dev.seraphim.registry;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * One version of a model: its artifact (path in the registry's store, sha256, size), signature, settings,
 * labels and metrics given at registration, and its lifecycle state with the last error. {@code wantedLoaded}
 * is what every server on this database makes true: load it at start, load or unload it when it changes.
 */
@Entity
@Table(name = "model_version")
public class ModelVersion {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "model_id")
    private RegisteredModel model;
    @Column(nullable = false)
    private String version;
    private String description;
    @Column(name = "artifact_path", nullable = false)
    private String artifactPath;
    @Column(name = "artifact_sha256", nullable = false)
    private String artifactSha256;
    @Column(name = "artifact_bytes", nullable = false)
    private long artifactBytes;
    @Column(nullable = false)
    private String signature;
    private String labels;
    private String metrics;
    @Column(name = "max_batch_size")
    private Integer maxBatchSize;
    @Column(name = "max_batch_delay_ms")
    private Integer maxBatchDelayMs;
    @Column(name = "queue_capacity")
    private Integer queueCapacity;
    private Integer workers;
    @Column(name = "timeout_ms")
    private Long timeoutMs;
    @Column(name = "intra_op_threads")
    private Integer intraOpThreads;

    /** In a settings change: drop the version's own intra-op threads and follow the server's default again. */
    public static final int SERVER_DEFAULT_THREADS = 0;
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private VersionState state;
    @Column(name = "wanted_loaded", nullable = false)
    private boolean wantedLoaded;
    @Column(name = "last_error")
    private String lastError;
    @Column(name = "created_by", nullable = false)
    private String createdBy;
    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;
    @Column(name = "updated_by")
    private String updatedBy;
    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;
    @Version
    @Column(name = "lock_version")
    private long lockVersion;

    protected ModelVersion() {
    }

    ModelVersion(RegisteredModel model, ModelDescriptor d, String description, Artifact artifact, String labels,
                 String metrics, String actor) {
        this.model = model;
        this.version = d.version();
        this.description = description;
        this.artifactPath = artifact.relativePath();
        this.artifactSha256 = artifact.sha256();
        this.artifactBytes = artifact.bytes();
        this.signature = ModelDescriptors.signature(d).toString();
        this.labels = labels;
        this.metrics = metrics;
        this.maxBatchSize = d.batching().maxBatchSize().orElse(null);
        this.maxBatchDelayMs = d.batching().maxBatchDelayMs().orElse(null);
        this.queueCapacity = d.batching().queueCapacity().orElse(null);
        this.workers = d.batching().workers().orElse(null);
        this.timeoutMs = d.timeoutMillis().orElse(null);
        this.intraOpThreads = d.intraOpThreads().orElse(null);
        this.state = VersionState.REGISTERED;
        this.createdBy = actor;
        this.createdAt = OffsetDateTime.now();
    }

    /** The descriptor the engine loads, its file resolved in the registry's artifact store. */
    public ModelDescriptor descriptor(Path store) {
        JsonObject json;
        try (JsonReader r = Json.createReader(new StringReader(signature))) {
            json = r.readObject();
        }
        var b = Json.createObjectBuilder(json);
        var batching = Json.createObjectBuilder();
        if (maxBatchSize != null) {
            batching.add("max_batch_size", maxBatchSize);
        }
        if (maxBatchDelayMs != null) {
            batching.add("max_batch_delay_ms", maxBatchDelayMs);
        }
        if (queueCapacity != null) {
            batching.add("queue_capacity", queueCapacity);
        }
        if (workers != null) {
            batching.add("workers", workers);
        }
        b.add("batching", batching);
        if (timeoutMs != null) {
            b.add("timeout_ms", timeoutMs);
        }
        if (intraOpThreads != null) {
            b.add("intra_op_threads", intraOpThreads);
        }
        return ModelDescriptors.fromJson(b.build(), model.name(), version, store.resolve(artifactPath));
    }

    /** The signature with this handler (JSON null: none); checked by the caller against the signature first. */
    void changeHandler(jakarta.json.JsonValue handler, String actor) {
        JsonObject json;
        try (JsonReader r = Json.createReader(new StringReader(signature))) {
            json = r.readObject();
        }
        var b = Json.createObjectBuilder(json);
        if (handler == null || handler == jakarta.json.JsonValue.NULL) {
            b.remove("handler");
        } else {
            b.add("handler", handler);
        }
        signature = b.build().toString();
        touch(actor);
    }

    /** The descriptor this version would have with another handler: for checking a change before it is made. */
    public ModelDescriptor descriptorWithHandler(Path store, jakarta.json.JsonValue handler) {
        ModelDescriptor current = descriptor(store);
        if (handler == null || handler == jakarta.json.JsonValue.NULL) {
            return current.withHandler(java.util.Optional.empty());
        }
        if (!(handler instanceof JsonObject h)) {
            throw new IllegalArgumentException("'handler' must be an object {\"type\": ...}, or null to remove it");
        }
        dev.seraphim.inference.handler.Handler parsed = dev.seraphim.inference.handler.Handler.fromJson(h);
        parsed.check(current.inputs(), current.outputs());
        return current.withHandler(java.util.Optional.of(parsed));
    }

    void changeSettings(Integer maxBatchSize, Integer maxBatchDelayMs, Integer queueCapacity, Integer workers,
                        Integer intraOpThreads, String actor) {
        if (intraOpThreads != null) {
            this.intraOpThreads = intraOpThreads == SERVER_DEFAULT_THREADS ? null : intraOpThreads;
        }
        if (maxBatchSize != null) {
            this.maxBatchSize = maxBatchSize;
        }
        if (maxBatchDelayMs != null) {
            this.maxBatchDelayMs = maxBatchDelayMs;
        }
        if (queueCapacity != null) {
            this.queueCapacity = queueCapacity;
        }
        if (workers != null) {
            this.workers = workers;
        }
        touch(actor);
    }

    void want(boolean loaded, String actor) {
        this.wantedLoaded = loaded;
        if (loaded) {
            state = VersionState.LOADING;
        }
        touch(actor);
    }

    void loaded(String actor) {
        state = VersionState.READY;
        lastError = null;
        touch(actor);
    }

    void failed(String error, String actor) {
        state = VersionState.FAILED;
        wantedLoaded = false;
        lastError = error;
        touch(actor);
    }

    void unloaded(String actor) {
        state = VersionState.UNLOADED;
        wantedLoaded = false;
        touch(actor);
    }

    void archive(String actor) {
        state = VersionState.ARCHIVED;
        wantedLoaded = false;
        touch(actor);
    }

    private void touch(String actor) {
        updatedBy = actor;
        updatedAt = OffsetDateTime.now();
    }

    public RegisteredModel model() {
        return model;
    }

    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    public String artifactPath() {
        return artifactPath;
    }

    public String artifactSha256() {
        return artifactSha256;
    }

    public long artifactBytes() {
        return artifactBytes;
    }

    public String labels() {
        return labels;
    }

    public String metrics() {
        return metrics;
    }

    public VersionState state() {
        return state;
    }

    public boolean wantedLoaded() {
        return wantedLoaded;
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public String createdBy() {
        return createdBy;
    }

    /** Imported from the model store when a server started, not registered through an API. */
    public boolean importedAtStart() {
        return RegistryChanges.SYSTEM.equals(createdBy);
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }

    public Optional<OffsetDateTime> updatedAt() {
        return Optional.ofNullable(updatedAt);
    }

    public Optional<String> updatedBy() {
        return Optional.ofNullable(updatedBy);
    }

    /** A stored model file: where it lies in the registry's store, its checksum and size. */
    public record Artifact(String relativePath, String sha256, long bytes) {
    }
}
