package dev.seraphim.api.grpc;

import dev.seraphim.api.grpc.v2.InferBatchStatistics;
import dev.seraphim.api.grpc.v2.InferStatistics;
import dev.seraphim.api.grpc.v2.ModelStatistics;
import dev.seraphim.api.grpc.v2.ModelStatisticsRequest;
import dev.seraphim.api.grpc.v2.ModelStatisticsResponse;
import dev.seraphim.api.grpc.v2.RepositoryIndexRequest;
import dev.seraphim.api.grpc.v2.RepositoryIndexResponse;
import dev.seraphim.api.grpc.v2.RepositoryModelLoadRequest;
import dev.seraphim.api.grpc.v2.RepositoryModelLoadResponse;
import dev.seraphim.api.grpc.v2.RepositoryModelUnloadRequest;
import dev.seraphim.api.grpc.v2.RepositoryModelUnloadResponse;
import dev.seraphim.api.grpc.v2.StatisticDuration;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.status.ServedBatches;
import dev.seraphim.inference.status.ServedVersion;
import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.ModelVersion;
import dev.seraphim.registry.RegisteredModel;
import dev.seraphim.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.util.List;
import java.util.Optional;

/**
 * Triton's repository and statistics RPCs over Seraphim's registry and metrics: the index lists the registry's
 * versions with their state here; load and unload are the registry's (audited, followed by every replica);
 * statistics are read from this replica's metrics, so they count what this replica served.
 */
@ApplicationScoped
public class RepositoryRpcs {
    @Inject
    ModelRegistry registry;

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    ServingStatus status;

    @Inject
    MetricRegistry metrics;

    RepositoryIndexResponse index(RepositoryIndexRequest request) {
        RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
        for (ModelVersion v : registry.allVersions()) {
            String name = v.model().name();
            boolean ready = status.version(name, v.version()).map(ServedVersion::ready).orElse(false);
            if (request.getReady() && !ready) {
                continue;
            }
            // Triton's states: READY, UNAVAILABLE (with the reason), LOADING
            String state = ready ? "READY" : v.state().name().equals("LOADING") ? "LOADING" : "UNAVAILABLE";
            b.addModels(RepositoryIndexResponse.ModelIndex.newBuilder().setName(name).setVersion(v.version()).setState(state)
                    .setReason(ready ? "" : v.lastError().orElse(v.state().name().toLowerCase(java.util.Locale.ROOT))));
        }
        return b.build();
    }

    /** Loads the model's default version, else its newest (Triton names no version); the registry's own load. */
    RepositoryModelLoadResponse load(RepositoryModelLoadRequest request, String actor) {
        ModelVersion v = current(request.getModelName());
        lifecycle.load(v.model().name(), v.version(), actor);
        return RepositoryModelLoadResponse.getDefaultInstance();
    }

    /** Unloads every version of the model that is wanted loaded (Triton unloads a model whole). */
    RepositoryModelUnloadResponse unload(RepositoryModelUnloadRequest request, String actor) {
        String name = request.getModelName();
        List<ModelVersion> versions = registry.versions(require(name).name());
        for (ModelVersion v : versions) {
            if (v.wantedLoaded()) {
                lifecycle.unload(name, v.version(), actor);
            }
        }
        return RepositoryModelUnloadResponse.getDefaultInstance();
    }

    /** Every loaded version (of the model named, the version named), from this replica's metrics. */
    ModelStatisticsResponse statistics(ModelStatisticsRequest request, Optional<Caller> caller) {
        ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
        boolean found = false;
        for (ServedVersion v : status.versions()) {
            if (!request.getName().isEmpty() && !v.name().equals(request.getName())
                    || !request.getVersion().isEmpty() && !v.version().equals(request.getVersion())
                    || caller.isPresent() && !caller.get().mayUse(v.name())) {
                continue;
            }
            found = true;
            b.addModelStats(statistics(v.name(), v.version()));
        }
        if (!found && !request.getName().isEmpty()) {
            throw new ModelNotFoundException("no version of model '" + request.getName() + "'"
                    + (request.getVersion().isEmpty() ? "" : " named '" + request.getVersion() + "'") + " is loaded on this server");
        }
        return b.build();
    }

    private ModelStatistics statistics(String model, String version) {
        Tag[] tags = {new Tag("model", model), new Tag("version", version)};
        long succeeded = 0;
        long failed = 0;
        for (var e : metrics.getCounters((id, m) -> id.getName().equals("seraphim_inference_requests")
                && model.equals(id.getTags().get("model")) && version.equals(id.getTags().get("version"))).entrySet()) {
            if ("success".equals(e.getKey().getTags().get("outcome"))) {
                succeeded += e.getValue().getCount();
            } else {
                failed += e.getValue().getCount();
            }
        }
        Timer duration = metrics.getTimer(new MetricID("seraphim_inference_request_duration", tags));
        Timer queue = metrics.getTimer(new MetricID("seraphim_queue_wait", tags));
        Timer compute = metrics.getTimer(new MetricID("seraphim_batch_compute", tags));
        Counter batches = metrics.getCounter(new MetricID("seraphim_batches", tags));
        Histogram rows = metrics.getHistogram(new MetricID("seraphim_batch_size", tags));
        InferStatistics.Builder s = InferStatistics.newBuilder()
                // the request timer covers every outcome: its time is given with the successes, the failures' count alone
                .setSuccess(duration(succeeded, duration)).setFail(StatisticDuration.newBuilder().setCount(failed))
                .setQueue(duration(queue == null ? 0 : queue.getCount(), queue))
                .setComputeInfer(duration(compute == null ? 0 : compute.getCount(), compute));
        ModelStatistics.Builder m = ModelStatistics.newBuilder().setName(model).setVersion(version)
                .setInferenceCount(rows == null ? 0 : rows.getSum()).setExecutionCount(batches == null ? 0 : batches.getCount())
                .setInferenceStats(s);
        // per batch size: our forward's time covers the copies in and out, so it is all compute_infer
        ServedBatches ran = status.batches(model, version).orElse(new ServedBatches(java.util.List.of(), 0));
        ran.sizes().forEach(size -> m.addBatchStats(InferBatchStatistics.newBuilder().setBatchSize(size.rows())
                .setComputeInput(StatisticDuration.newBuilder().setCount(size.batches()))
                .setComputeInfer(StatisticDuration.newBuilder().setCount(size.batches()).setNs(size.computeNanos()))
                .setComputeOutput(StatisticDuration.newBuilder().setCount(size.batches()))));
        return m.setLastInference(ran.lastBatchEpochMillis()).build();
    }

    private static StatisticDuration duration(long count, Timer timer) {
        return StatisticDuration.newBuilder().setCount(count).setNs(timer == null ? 0 : timer.getElapsedTime().toNanos()).build();
    }

    private RegisteredModel require(String name) {
        return registry.model(name).orElseThrow(() -> new ModelNotFoundException("no model named '" + name + "' is registered"));
    }

    private ModelVersion current(String name) {
        RegisteredModel m = require(name);
        return m.defaultVersion().flatMap(d -> registry.findVersion(name, d))
                .or(() -> registry.versions(name).stream().reduce((a, b) -> b))
                .orElseThrow(() -> new ModelNotFoundException("model '" + name + "' has no versions"));
    }
}
