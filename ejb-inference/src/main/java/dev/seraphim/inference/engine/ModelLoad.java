package dev.seraphim.inference.engine;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One attempt to load a model version into libtorch: what was loaded, where, how long it took, how it ended. */
@Entity
@Table(name = "model_load")
public class ModelLoad {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(name = "model_name", nullable = false)
    private String modelName;
    @Column(name = "model_version", nullable = false)
    private String modelVersion;
    @Column(name = "artifact_sha256", nullable = false)
    private String artifactSha256;
    @Column(name = "artifact_bytes", nullable = false)
    private long artifactBytes;
    @Column(nullable = false)
    private String device;
    @Column(nullable = false)
    private boolean optimized;
    @Column(nullable = false)
    private String outcome;
    @Column(name = "error_text")
    private String errorText;
    @Column(name = "load_millis", nullable = false)
    private long loadMillis;
    @Column(name = "server_name", nullable = false)
    private String serverName;
    @Column(name = "loaded_at", nullable = false)
    private OffsetDateTime loadedAt;

    protected ModelLoad() {
    }

    ModelLoad(String modelName, String modelVersion, String artifactSha256, long artifactBytes, String device,
              boolean optimized, String errorText, long loadMillis, String serverName) {
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.artifactSha256 = artifactSha256;
        this.artifactBytes = artifactBytes;
        this.device = device;
        this.optimized = optimized;
        this.outcome = errorText == null ? "READY" : "FAILED";
        this.errorText = errorText;
        this.loadMillis = loadMillis;
        this.serverName = serverName;
        this.loadedAt = OffsetDateTime.now();
    }

    public String modelName() {
        return modelName;
    }

    public String outcome() {
        return outcome;
    }
}
