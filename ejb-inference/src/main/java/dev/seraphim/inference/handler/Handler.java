package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A model version's handler, declared in its metadata ({@code "handler": {"type": ...}}): what turns the images,
 * records or text a client sends into the model's input tensors before the batch ({@link Preprocessing}), and its
 * first output into labels and probabilities after it ({@link Postprocessing}). The types: {@code image_classifier},
 * {@code text_classifier} and {@code record_classifier} (softmax top-k by default), and {@code image}, {@code text}
 * and {@code record} (the output's numbers by default: regression, embeddings).
 */
public record Handler(String type, Preprocessing input, Postprocessing output) {
    public static final List<String> TYPES = List.of("image_classifier", "text_classifier", "record_classifier", "image", "text", "record");

    /** TorchServe's handler names of a .mar's manifest that this server runs in Java. */
    public static boolean torchServeBuiltIn(String name) {
        return name.equals("image_classifier") || name.equals("text_classifier");
    }

    /** The handler's JSON read; IllegalArgumentException naming the key that is wrong. */
    public static Handler fromJson(JsonObject h) {
        String type = h.get("type") instanceof JsonString s ? s.getString() : "";
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("'handler.type' must be one of " + TYPES);
        }
        Preprocessing input = switch (type.replace("_classifier", "")) {
            case "image" -> ImageInput.fromJson(h);
            case "text" -> TextInput.fromJson(h);
            default -> RecordInput.fromJson(h);
        };
        Postprocessing.Kind kind = type.endsWith("_classifier") ? Postprocessing.Kind.SOFTMAX : Postprocessing.Kind.NONE;
        return new Handler(type, input, Postprocessing.fromJson(h, kind));
    }

    public JsonObject toJson() {
        JsonObjectBuilder b = Json.createObjectBuilder().add("type", type);
        input.write(b);
        output.write(b);
        return b.build();
    }

    /** Whether a model of this signature can take this handler; the message says what to declare. */
    public void check(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        input.check(inputs);
        if (outputs.isEmpty() || outputs.get(0).dataType() != DataType.FP32) {
            throw new IllegalArgumentException("a handler reads its answer from an FP32 first output (class scores, or the numbers it returns)");
        }
    }

    public boolean sameAs(Handler other) {
        return other != null && toJson().equals(other.toJson());
    }

    /** The model's inputs for these instances, one row each, built on the calling (the request's) thread. */
    public List<TensorData> tensors(List<Instance> instances, List<TensorSpec> inputs) {
        if (instances.isEmpty()) {
            throw new InvalidInstanceException("the request has no " + what() + " in it");
        }
        return input.tensors(instances, inputs);
    }

    /** The rows of the first output, one answer each: {"label": probability} or the row's numbers. */
    public List<JsonValue> answers(TensorData firstOutput) {
        List<JsonValue> out = new ArrayList<>();
        for (float[] row : rows(firstOutput)) {
            out.add(output.answer(row));
        }
        return out;
    }

    /** Each row's ranked labels, most probable first (empty lists for a handler without classes). */
    public List<List<String>> labels(TensorData firstOutput) {
        List<List<String>> out = new ArrayList<>();
        for (float[] row : rows(firstOutput)) {
            out.add(List.copyOf(output.ranked(row).keySet()));
        }
        return out;
    }

    /** What the clients of this handler send, for messages. */
    public String what() {
        return input instanceof ImageInput ? "image" : input instanceof TextInput ? "text" : "record";
    }

    private static List<float[]> rows(TensorData output) {
        long[] shape = output.shape();
        int rows = (int) shape[0];
        int per = rows == 0 ? 0 : (int) (output.elementCount() / rows);
        FloatBuffer floats = output.data().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        List<float[]> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            float[] row = new float[per];
            floats.get(row);
            out.add(row);
        }
        return out;
    }
}
