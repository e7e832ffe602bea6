package dev.seraphim.inference.model;

import dev.seraphim.inference.tensor.TensorSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the server knows of a model before loading it: identity, the TorchScript file, its signature, and the
 * settings it overrides (batching, timeout, libtorch's intra-op threads; empty means the server default).
 */
public record ModelDescriptor(String name, String version, Path file, List<TensorSpec> inputs,
                              List<TensorSpec> outputs, BatchingOverrides batching, Optional<Long> timeoutMillis,
                              Optional<Integer> intraOpThreads) {

    public ModelDescriptor {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSpec> input(String inputName) {
        return inputs.stream().filter(s -> s.name().equals(inputName)).findFirst();
    }

    public Optional<TensorSpec> output(String outputName) {
        return outputs.stream().filter(s -> s.name().equals(outputName)).findFirst();
    }

    /** Per-model batching settings from the descriptor; each empty value falls back to the server default. */
    public record BatchingOverrides(Optional<Integer> maxBatchSize, Optional<Integer> maxBatchDelayMs,
                                    Optional<Integer> queueCapacity, Optional<Integer> workers) {
        public static BatchingOverrides none() {
            return new BatchingOverrides(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        /** These overrides with each non-null argument replacing its field. */
        public BatchingOverrides with(Integer newMaxBatchSize, Integer newMaxBatchDelayMs, Integer newQueueCapacity, Integer newWorkers) {
            return new BatchingOverrides(newMaxBatchSize != null ? Optional.of(newMaxBatchSize) : maxBatchSize,
                    newMaxBatchDelayMs != null ? Optional.of(newMaxBatchDelayMs) : maxBatchDelayMs,
                    newQueueCapacity != null ? Optional.of(newQueueCapacity) : queueCapacity,
                    newWorkers != null ? Optional.of(newWorkers) : workers);
        }
    }
}
