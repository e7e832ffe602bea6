package dev.seraphim.inference.engine;

import dev.seraphim.inference.batching.BatchObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.Map;

/**
 * The engine's figures in MicroProfile Metrics: batch sizes, batches run, queue wait and compute time, queue
 * depth and refusals per model version, model load time, and the native memory JavaCPP holds for libtorch.
 */
@ApplicationScoped
public class BatchMetrics {
    @Inject
    MetricRegistry registry;

    BatchObserver observer(String model, String version) {
        Tag[] tags = {new Tag("model", model), new Tag("version", version)};
        Histogram batchRows = registry.histogram(Metadata.builder().withName("seraphim_batch_size")
                .withDescription("Rows per executed batch").build(), tags);
        Counter batches = registry.counter(Metadata.builder().withName("seraphim_batches")
                .withDescription("Batches executed").build(), tags);
        Timer compute = registry.timer(Metadata.builder().withName("seraphim_batch_compute")
                .withDescription("Time of one batch's forward, copies in and out included").withUnit(MetricUnits.SECONDS).build(), tags);
        Timer queueWait = registry.timer(Metadata.builder().withName("seraphim_queue_wait")
                .withDescription("Time a request waited in its model's queue").withUnit(MetricUnits.SECONDS).build(), tags);
        Counter expired = registry.counter(Metadata.builder().withName("seraphim_queue_expired")
                .withDescription("Requests dropped before their forward because their caller had timed out or gone").build(), tags);
        Counter rejected = registry.counter(Metadata.builder().withName("seraphim_queue_rejected")
                .withDescription("Requests refused at once because the model's queue was full (answered 503)").build(), tags);
        return new BatchObserver() {
            @Override
            public void batchRan(int requests, long rows, long computeNanos) {
                batchRows.update(rows);
                batches.inc();
                compute.update(Duration.ofNanos(computeNanos));
            }

            @Override
            public void queueWaited(long nanos) {
                queueWait.update(Duration.ofNanos(nanos));
            }

            @Override
            public void expiredInQueue() {
                expired.inc();
            }

            @Override
            public void rejected() {
                rejected.inc();
            }
        };
    }

    /**
     * A shadow version's metrics: requests by outcome (compared, dropped, failed) and, as gauges, the share of rows
     * whose largest output is at the live answer's index and the mean absolute difference of their outputs.
     */
    java.util.function.Consumer<String> shadow(String model, String version, java.util.function.Supplier<ShadowTraffic.Figures> figures) {
        Tag[] tags = {new Tag("model", model), new Tag("version", version)};
        Map<String, Counter> byOutcome = new java.util.HashMap<>();
        for (String outcome : new String[]{"compared", "dropped", "failed"}) {
            byOutcome.put(outcome, registry.counter(Metadata.builder().withName("seraphim_shadow_requests")
                    .withDescription("Requests mirrored to a shadow version, by outcome: compared with the live answer, dropped"
                            + " (the shadow behind), failed").build(), tags[0], tags[1], new Tag("outcome", outcome)));
        }
        registry.gauge(Metadata.builder().withName("seraphim_shadow_argmax_agreement").withDescription(
                "Share of compared rows whose largest first output is at the same index in the shadow's and the live answer").build(),
                () -> figures.get().agreement(), tags);
        registry.gauge(Metadata.builder().withName("seraphim_shadow_mean_abs_difference").withDescription(
                "Mean absolute difference of the shadow's and the live first output over compared values").build(),
                () -> figures.get().meanAbsDifference(), tags);
        return outcome -> byOutcome.get(outcome).inc();
    }

    private static final Metadata TRAFFIC_WEIGHT = Metadata.builder().withName("seraphim_traffic_weight")
            .withDescription("A version's percent of its model's unversioned requests under the model's traffic policy (docs/rollouts.md)").build();
    private final java.util.Set<org.eclipse.microprofile.metrics.MetricID> weights = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The weights of every traffic policy as gauges, those of policies gone or changed removed. */
    synchronized void trafficWeights(Map<String, dev.seraphim.traffic.TrafficPolicy> policies) {
        weights.forEach(registry::remove);
        weights.clear();
        policies.forEach((model, policy) -> policy.weights().forEach(w -> {
            Tag[] tags = {new Tag("model", model), new Tag("version", w.version())};
            int percent = w.percent();
            registry.gauge(TRAFFIC_WEIGHT, () -> percent, tags);
            weights.add(new org.eclipse.microprofile.metrics.MetricID(TRAFFIC_WEIGHT.getName(), tags));
        }));
    }

    private static final Metadata QUEUE_DEPTH = Metadata.builder().withName("seraphim_queue_depth")
            .withDescription("Requests waiting in a model version's queue").build();

    void served(String model, String version, dev.seraphim.inference.batching.Batcher batcher, long loadNanos) {
        Tag[] tags = {new Tag("model", model), new Tag("version", version)};
        registry.timer(Metadata.builder().withName("seraphim_model_load_duration")
                .withDescription("Time to load a model version into libtorch, optimization and check included")
                .withUnit(MetricUnits.SECONDS).build(), tags).update(Duration.ofNanos(loadNanos));
        registry.remove(new org.eclipse.microprofile.metrics.MetricID(QUEUE_DEPTH.getName(), tags));
        registry.gauge(QUEUE_DEPTH, batcher, dev.seraphim.inference.batching.Batcher::queueDepth, tags);
    }

    void retired(String model, String version) {
        registry.remove(new org.eclipse.microprofile.metrics.MetricID(QUEUE_DEPTH.getName(), new Tag("model", model),
                new Tag("version", version)));
    }

    void nativeMemory() {
        registry.gauge(Metadata.builder().withName("seraphim_native_physical").withUnit(MetricUnits.BYTES)
                .withDescription("Resident memory of the process as JavaCPP measures it (libtorch's tensors and modules included)").build(),
                org.bytedeco.javacpp.Pointer::physicalBytes);
        registry.gauge(Metadata.builder().withName("seraphim_native_allocated").withUnit(MetricUnits.BYTES)
                .withDescription("Native memory JavaCPP has allocated and not yet released").build(),
                org.bytedeco.javacpp.Pointer::totalBytes);
    }

    void gpuMemory(String deviceName, int index) {
        Tag device = new Tag("device", deviceName);
        registry.gauge(Metadata.builder().withName("seraphim_gpu_memory_allocated").withUnit(MetricUnits.BYTES)
                .withDescription("GPU memory libtorch's caching allocator has given to live tensors").build(),
                () -> GpuMemory.read(index).map(GpuMemory.Usage::allocatedBytes).orElse(-1L), device);
        registry.gauge(Metadata.builder().withName("seraphim_gpu_memory_reserved").withUnit(MetricUnits.BYTES)
                .withDescription("GPU memory libtorch's caching allocator holds from the driver (allocated and cached)").build(),
                () -> GpuMemory.read(index).map(GpuMemory.Usage::reservedBytes).orElse(-1L), device);
    }
}
