package dev.seraphim.api.inference;

import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.handler.Instance;
import dev.seraphim.inference.model.ModelDescriptor;

import java.util.Map;

/**
 * The values of a JSON body as a handler's instances, the same in every API style: a string is text (or, for an
 * image model, the image's base64), {@code {"b64": "..."}} the bytes it encodes (KServe's and TF-Serving's
 * convention), any other object a record of named features.
 */
public final class Instances {
    private Instances() {
    }

    /** The model's handler, or a 400 saying that this model takes tensors. */
    public static Handler handler(ModelDescriptor signature, String sent) {
        return signature.handler().orElseThrow(() -> new ApiError.BadRequestException("model " + signature.name() + " has no handler, so it takes"
                + " tensors, not " + sent + "; a version can be given one (docs/handlers.md)"));
    }

    public static Instance of(Object value, String where) {
        if (value instanceof String s) {
            return new Instance.Text(s);
        }
        if (value instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.containsKey("b64")) {
                if (!(m.get("b64") instanceof String b64)) {
                    throw new ApiError.BadRequestException(where + ": \"b64\" must be a base64 string");
                }
                try {
                    return new Instance.Encoded(Instance.Encoded.base64(b64));
                } catch (IllegalArgumentException e) {
                    throw new ApiError.BadRequestException(where + ": \"b64\" is not base64 (" + e.getMessage() + ")");
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) m;
            for (Map.Entry<String, Object> e : fields.entrySet()) {
                if (e.getValue() instanceof NumericArray || e.getValue() instanceof Map || e.getValue() instanceof java.util.List) {
                    throw new ApiError.BadRequestException(where + ": feature '" + e.getKey() + "' must be a number or a category string");
                }
            }
            return new Instance.Fields(fields);
        }
        throw new ApiError.BadRequestException(where + " must be text (a string), {\"b64\": \"...\"} or a record of features (an object)");
    }
}
