package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * The image classifier handler of a model version (TorchServe's {@code image_classifier}): an encoded image in, the
 * top classes with their probabilities out. Declared in the version's metadata as
 * {@code "handler": {"type": "image_classifier", "resize", "crop", "mean", "std", "top_k", "labels", "max_pixels"}},
 * every key optional (torchvision's ImageNet preprocessing, top 5, classes named by index, 50 megapixels).
 */
public record ImageClassifier(ImageTransform transform, Classification classification, long maxPixels) {
    public static final String TYPE = "image_classifier";
    static final long DEFAULT_MAX_PIXELS = 50_000_000;

    /** The handler's JSON read; IllegalArgumentException naming what is wrong. */
    public static ImageClassifier fromJson(JsonObject h) {
        if (!TYPE.equals(h.getString("type", null))) {
            throw new IllegalArgumentException("'handler.type' must be \"" + TYPE + "\" (the one handler this server has yet)");
        }
        int resize = positive(h, "resize", 256);
        int crop = positive(h, "crop", 224);
        if (crop > resize) {
            throw new IllegalArgumentException("'handler.crop' (" + crop + ") must not exceed 'handler.resize' (" + resize + ")");
        }
        float[] mean = triple(h, "mean", ImageTransform.IMAGENET.mean());
        float[] std = triple(h, "std", ImageTransform.IMAGENET.std());
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("'handler.std' values must be above 0");
            }
        }
        Map<Integer, String> labels = h.get("labels") instanceof JsonObject l ? Classification.labels(l) : Map.of();
        return new ImageClassifier(new ImageTransform(resize, crop, mean, std), new Classification(positive(h, "top_k", 5), labels),
                positive(h, "max_pixels", DEFAULT_MAX_PIXELS));
    }

    public JsonObject toJson() {
        JsonObjectBuilder labels = Json.createObjectBuilder();
        classification.labels().forEach((i, name) -> labels.add(Integer.toString(i), name));
        return Json.createObjectBuilder().add("type", TYPE).add("resize", transform.resize()).add("crop", transform.crop())
                .add("mean", array(transform.mean())).add("std", array(transform.std())).add("top_k", classification.topK())
                .add("labels", labels).add("max_pixels", maxPixels).build();
    }

    /** One encoded image as the model's input tensor: FP32 [1, 3, crop, crop], in the buffer libtorch reads. */
    public TensorData tensor(String inputName, byte[] encoded) {
        float[] chw = transform.apply(ImageDecoder.decode(encoded, maxPixels));
        ByteBuffer buffer = ByteBuffer.allocateDirect(chw.length * Float.BYTES).order(ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(chw);
        return new TensorData(inputName, DataType.FP32, new long[]{1, 3, transform.crop(), transform.crop()}, buffer);
    }

    private static int positive(JsonObject h, String key, int fallback) {
        return (int) Math.min(Integer.MAX_VALUE, positive(h, key, (long) fallback));
    }

    private static long positive(JsonObject h, String key, long fallback) {
        JsonValue v = h.get(key);
        if (v == null || v == JsonValue.NULL) {
            return fallback;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 1 || n.longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'handler." + key + "' must be a positive integer, not " + v);
        }
        return n.longValue();
    }

    private static float[] triple(JsonObject h, String key, float[] fallback) {
        if (!(h.get(key) instanceof JsonArray a)) {
            if (h.containsKey(key)) {
                throw new IllegalArgumentException("'handler." + key + "' must be three numbers (R, G, B)");
            }
            return fallback.clone();
        }
        if (a.size() != 3 || !a.stream().allMatch(x -> x instanceof JsonNumber)) {
            throw new IllegalArgumentException("'handler." + key + "' must be three numbers (R, G, B)");
        }
        return new float[]{(float) a.getJsonNumber(0).doubleValue(), (float) a.getJsonNumber(1).doubleValue(),
                (float) a.getJsonNumber(2).doubleValue()};
    }

    private static JsonArrayBuilder array(float[] v) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (float x : v) {
            a.add(x);
        }
        return a;
    }
}
