package dev.seraphim.inference.batching;

import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One caller's request waiting in a batcher: its inputs (in signature order), its future and when it arrived. */
final class PendingInference {
    final List<TensorData> inputs;
    final CompletableFuture<BatchResult> result = new CompletableFuture<>();
    /** when its batch started: set by the worker before the forward */
    volatile long startedNanos;
    final long enqueuedNanos;
    final long rows;
    /** Requests with equal keys may share a batch: same datatypes and non-batch dimensions, padded ones aside. */
    final List<Object> compatibility;

    PendingInference(List<TensorData> inputs, List<TensorSpec> specs, long enqueuedNanos) {
        this.inputs = List.copyOf(inputs);
        this.enqueuedNanos = enqueuedNanos;
        this.rows = inputs.get(0).rows();
        List<Object> key = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            long[] rowShape = inputs.get(i).rank() == 0 ? new long[0] : Arrays.copyOfRange(inputs.get(i).shape(), 1, inputs.get(i).rank());
            if (Batch.padsLastDim(specs.get(i), inputs.get(i))) {
                rowShape[rowShape.length - 1] = -1;
            }
            key.add(inputs.get(i).dataType());
            key.add(Arrays.toString(rowShape));
        }
        this.compatibility = List.copyOf(key);
    }

    boolean abandoned() {
        return result.isDone();
    }
}
