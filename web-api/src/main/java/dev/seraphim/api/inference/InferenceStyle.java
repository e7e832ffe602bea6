package dev.seraphim.api.inference;

import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an API style supplies to the {@link InferenceEndpoint}: how its request bodies are parsed and decoded into
 * tensors, and how a result is written back. {@code P} is the parsed body.
 */
public interface InferenceStyle<P> {
    /** The {@code api} label of the metrics and the access line. */
    String api();

    ErrorStyle errors();

    /** The request headers this style reads, taken from the request before anything else happens to it. */
    default List<String> headers() {
        return List.of();
    }

    /** The body read as this style's syntax, with the headers of {@link #headers()}; nothing model-specific yet. */
    P parse(byte[] body, Map<String, String> headers);

    /** The model a body names, for styles whose path does not (the predict API). */
    default ModelRef model(P parsed) {
        throw new IllegalStateException(api() + " requests name their model in the path");
    }

    /** The input tensors and the outputs asked for (empty: all), the model's signature at hand for datatypes. */
    Decoded decode(P parsed, ModelDescriptor signature);

    /** The answer's body and headers; {@code signature} for a handler's post-processing. */
    Answer encode(InferenceResult result, P parsed, ModelDescriptor signature);

    record Decoded(List<TensorData> inputs, Set<String> requestedOutputs) {
        public Decoded(List<TensorData> inputs) {
            this(inputs, Set.of());
        }
    }
}
