package dev.seraphim.feedback;

/**
 * One row of labelled feedback: the inputs of one served row as OIP tensors (JSON, batch dimension 1) and the
 * class the caller says is right.
 */
public record LabelledExample(long id, String model, String version, String requestId, String inputs, int label) {
}
