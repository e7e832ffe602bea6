package dev.seraphim.inference.model;

import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the server knows of a model before loading it: identity, the TorchScript file, its signature, and the
 * settings it overrides (batching, timeout, libtorch's intra-op threads; empty means the server default).
 */
public record ModelDescriptor(String name, String version, Path file, List<TensorSpec> inputs,
                              List<TensorSpec> outputs, BatchingOverrides batching, Optional<Long> timeoutMillis,
                              Optional<Integer> intraOpThreads, Optional<Handler> handler) {

    public ModelDescriptor {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSpec> input(String inputName) {
        return inputs.stream().filter(s -> s.name().equals(inputName)).findFirst();
    }

    /**
     * The one check of request tensors against the signature: each input named once, none unknown, none missing,
     * each of its datatype and shape, all with the same rows. Returns them in the signature's order, as the
     * module's forward() takes them.
     */
    public List<TensorData> inSignatureOrder(List<TensorData> given) {
        Set<String> seen = new HashSet<>();
        for (TensorData t : given) {
            if (!seen.add(t.name())) {
                throw new InvalidTensorException("input '" + t.name() + "' is given more than once");
            }
            if (input(t.name()).isEmpty()) {
                throw new InvalidTensorException("model " + name + " has no input '" + t.name() + "'; its inputs are "
                        + inputs.stream().map(TensorSpec::name).toList());
            }
        }
        List<TensorData> ordered = new ArrayList<>(inputs.size());
        long rows = -1;
        for (TensorSpec spec : inputs) {
            TensorData t = given.stream().filter(i -> i.name().equals(spec.name())).findFirst()
                    .orElseThrow(() -> new InvalidTensorException("input '" + spec.name() + "' of model " + name + " is missing"));
            spec.check(t);
            if (rows >= 0 && t.rows() != rows) {
                throw new InvalidTensorException("all inputs must have the same number of rows (first dimension)");
            }
            rows = t.rows();
            ordered.add(t);
        }
        return ordered;
    }

    /** This descriptor with another handler (or none), everything else the same. */
    public ModelDescriptor withHandler(Optional<Handler> newHandler) {
        return new ModelDescriptor(name, version, file, inputs, outputs, batching, timeoutMillis, intraOpThreads, newHandler);
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
