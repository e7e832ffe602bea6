package dev.seraphim.inference;

import dev.seraphim.inference.tensor.TensorData;

import java.util.List;

/**
 * What one caller gets back: the model version that answered, its own rows of every output, and how: the rows
 * of the batch it ran in, its time in the queue and the batch's compute time.
 */
public record InferenceResult(String model, String version, List<TensorData> outputs, long batchRows, long queueNanos,
                              long computeNanos) {
    public InferenceResult {
        outputs = List.copyOf(outputs);
    }
}
