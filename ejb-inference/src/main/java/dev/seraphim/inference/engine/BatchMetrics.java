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

/** The batchers' figures in MicroProfile Metrics: batch sizes, batches run, queue wait and compute time. */
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
                .withDescription("Requests dropped from the queue because their caller had timed out").build(), tags);
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
        };
    }
}
