package dev.seraphim.inference;

import dev.seraphim.inference.tensor.TensorData;

import java.util.List;
import java.util.Optional;

/** A parsed request: which model (and optionally version), and its input tensors, already in native layout. */
public record InferenceRequest(String model, Optional<String> version, List<TensorData> inputs) {
    public InferenceRequest {
        inputs = List.copyOf(inputs);
    }
}
