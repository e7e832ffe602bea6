package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.JsonObjectBuilder;

import java.util.List;

/**
 * What a handler makes of the instances of one request before the batch: the model's input tensors, one row per
 * instance, built on the request's own thread.
 */
public sealed interface Preprocessing permits ImageInput, RecordInput, TextInput {
    /** The model's input tensors for these instances (at least one), in the order of {@code inputs}. */
    List<TensorData> tensors(List<Instance> instances, List<TensorSpec> inputs);

    /** Whether a model of these inputs can take what this preprocessing makes; the message says why not. */
    void check(List<TensorSpec> inputs);

    void write(JsonObjectBuilder handler);
}
