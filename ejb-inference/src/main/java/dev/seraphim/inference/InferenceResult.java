package dev.seraphim.inference;

import dev.seraphim.inference.tensor.TensorData;

import java.util.List;

/** What one caller gets back: the model version that answered and its own rows of every output. */
public record InferenceResult(String model, String version, List<TensorData> outputs, int batchRows) {
    public InferenceResult {
        outputs = List.copyOf(outputs);
    }
}
