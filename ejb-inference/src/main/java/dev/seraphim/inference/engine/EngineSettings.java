package dev.seraphim.inference.engine;

import dev.seraphim.inference.batching.BatchingSettings;
import dev.seraphim.inference.model.ModelDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** The engine's MicroProfile Config keys (each also settable as the matching SERAPHIM_* environment variable). */
@ApplicationScoped
public class EngineSettings {
    @Inject
    @ConfigProperty(name = "seraphim.inference.device", defaultValue = "cpu")
    String device;

    @Inject
    @ConfigProperty(name = "seraphim.inference.optimization", defaultValue = "auto")
    String optimization;

    @Inject
    @ConfigProperty(name = "seraphim.inference.threads", defaultValue = "0")
    int intraOpThreads;

    @Inject
    @ConfigProperty(name = "seraphim.inference.interop.threads", defaultValue = "1")
    int interOpThreads;

    @Inject
    @ConfigProperty(name = "seraphim.inference.lanes", defaultValue = "1")
    int lanes;

    @Inject
    @ConfigProperty(name = "seraphim.batch.max.size", defaultValue = "32")
    int maxBatchSize;

    @Inject
    @ConfigProperty(name = "seraphim.batch.max.delay.ms", defaultValue = "0")
    int maxBatchDelayMs;

    @Inject
    @ConfigProperty(name = "seraphim.queue.capacity", defaultValue = "256")
    int queueCapacity;

    @Inject
    @ConfigProperty(name = "seraphim.batch.workers", defaultValue = "1")
    int workersPerModel;

    @Inject
    @ConfigProperty(name = "seraphim.inference.timeout.ms", defaultValue = "30000")
    long timeoutMillis;

    @Inject
    @ConfigProperty(name = "seraphim.traffic.shadow.capacity", defaultValue = "8")
    int shadowCapacity;

    @Inject
    dev.seraphim.platform.ServerIdentity identity;

    public String device() {
        return device;
    }

    /** auto, full or freeze (GraphOptimization). */
    public String optimization() {
        return optimization;
    }

    /** 0 means one per available core. */
    public int intraOpThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }

    /** Threads that run the forwards of models with more than one intra-op thread (IntraOpLane); at least one. */
    public int lanes() {
        return Math.max(1, lanes);
    }

    public int interOpThreads() {
        return interOpThreads;
    }

    /** Shadow requests in flight at once on this server; one more is dropped and counted. */
    public int shadowCapacity() {
        return Math.max(1, shadowCapacity);
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    public String serverName() {
        return identity.name();
    }

    /** The model's intra-op threads if its descriptor sets them, else the server's. */
    public int intraOpThreads(ModelDescriptor d) {
        return d.intraOpThreads().orElseGet(this::intraOpThreads);
    }

    /** The server defaults, overridden by what the model's descriptor sets. */
    public BatchingSettings batching(ModelDescriptor.BatchingOverrides o) {
        return new BatchingSettings(o.maxBatchSize().orElse(maxBatchSize), o.maxBatchDelayMs().orElse(maxBatchDelayMs),
                o.queueCapacity().orElse(queueCapacity), o.workers().orElse(workersPerModel));
    }
}
