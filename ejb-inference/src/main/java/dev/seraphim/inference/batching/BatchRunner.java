package dev.seraphim.inference.batching;

import dev.seraphim.inference.tensor.TensorData;

import java.util.List;

/** Runs the model once on a batch's inputs (one tensor per model input, rows of all callers) and returns its outputs. */
@FunctionalInterface
public interface BatchRunner {
    List<TensorData> run(List<TensorData> inputs);
}
