package dev.seraphim.inference.batching;

import dev.seraphim.inference.tensor.TensorData;

import java.util.List;

/**
 * One caller's answer from a batch: its own rows of every output, and how it got them: the rows of the whole
 * batch, the time it waited in the queue and the batch's compute time (for the access log and the audit).
 */
public record BatchResult(List<TensorData> outputs, long batchRows, long queueNanos, long computeNanos) {
    public BatchResult {
        outputs = List.copyOf(outputs);
    }
}
