package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Encoded images to the model's one FP32 input: decoded ({@link ImageDecoder}) and preprocessed as torchvision's
 * ImageNet pipeline ({@link ImageTransform}), one row per image: [n, 3, crop, crop], or [n, crop, crop, 3] channels
 * last, one channel when grayscale. A JSON string is read as the base64 of the image.
 */
public record ImageInput(ImageTransform transform, long maxPixels) implements Preprocessing {
    static final long DEFAULT_MAX_PIXELS = 50_000_000;

    static ImageInput fromJson(JsonObject h) {
        int resize = HandlerJson.positive(h, "resize", 256);
        int crop = HandlerJson.positive(h, "crop", 224);
        if (crop > resize) {
            throw new IllegalArgumentException("'handler.crop' (" + crop + ") must not exceed 'handler.resize' (" + resize + ")");
        }
        boolean gray = HandlerJson.flag(h, "grayscale", false);
        int channels = gray ? 1 : 3;
        float[] mean = HandlerJson.numbers(h, "mean", channels, gray ? new float[]{0.449f} : ImageTransform.IMAGENET.mean());
        float[] std = HandlerJson.numbers(h, "std", channels, gray ? new float[]{0.226f} : ImageTransform.IMAGENET.std());
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("'handler.std' values must be above 0");
            }
        }
        return new ImageInput(new ImageTransform(resize, crop, mean, std, gray, HandlerJson.flag(h, "channels_last", false)),
                HandlerJson.positive(h, "max_pixels", DEFAULT_MAX_PIXELS));
    }

    @Override
    public void write(JsonObjectBuilder b) {
        b.add("resize", transform.resize()).add("crop", transform.crop()).add("mean", array(transform.mean()))
                .add("std", array(transform.std())).add("grayscale", transform.grayscale())
                .add("channels_last", transform.channelsLast()).add("max_pixels", maxPixels);
    }

    @Override
    public void check(List<TensorSpec> inputs) {
        long[] expected = shape(-1);
        if (inputs.size() != 1 || inputs.get(0).dataType() != DataType.FP32 || !fits(inputs.get(0).shape(), expected)) {
            throw new IllegalArgumentException("an image handler feeds one FP32 input " + java.util.Arrays.toString(expected)
                    + " (its crop, channels and layout); declare that input, or set the handler's crop, grayscale or channels_last to the model's");
        }
    }

    @Override
    public List<TensorData> tensors(List<Instance> instances, List<TensorSpec> inputs) {
        int per = transform.channels() * transform.crop() * transform.crop();
        ByteBuffer buffer = ByteBuffer.allocateDirect(instances.size() * per * Float.BYTES).order(ByteOrder.nativeOrder());
        FloatBuffer floats = buffer.asFloatBuffer();
        for (Instance instance : instances) {
            floats.put(transform.apply(ImageDecoder.decode(bytes(instance), maxPixels)));
        }
        return List.of(new TensorData(inputs.get(0).name(), DataType.FP32, shape(instances.size()), buffer));
    }

    private long[] shape(long rows) {
        long c = transform.channels();
        long s = transform.crop();
        return transform.channelsLast() ? new long[]{rows, s, s, c} : new long[]{rows, c, s, s};
    }

    private static byte[] bytes(Instance instance) {
        if (instance instanceof Instance.Encoded e) {
            return e.bytes();
        }
        if (instance instanceof Instance.Text t) {
            try {
                return Instance.Encoded.base64(t.text());
            } catch (IllegalArgumentException e) {
                throw new InvalidInstanceException("an image given as a string must be its base64 (" + e.getMessage() + ")");
            }
        }
        throw new InvalidInstanceException("this model takes images: send the image, its base64 or {\"b64\": ...}, not a record of fields");
    }

    private static boolean fits(long[] declared, long[] wanted) {
        if (declared.length != wanted.length) {
            return false;
        }
        for (int i = 1; i < declared.length; i++) {
            if (declared[i] >= 0 && declared[i] != wanted[i]) {
                return false;
            }
        }
        return true;
    }

    private static JsonArrayBuilder array(float[] v) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (float x : v) {
            a.add(x);
        }
        return a;
    }
}
