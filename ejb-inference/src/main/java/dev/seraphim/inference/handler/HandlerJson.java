package dev.seraphim.inference.handler;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** Reading a handler's settings: each refusal names the key ({@code handler.x}) and what it must be. */
final class HandlerJson {
    private HandlerJson() {
    }

    static int positive(JsonObject h, String key, int fallback) {
        return (int) Math.min(Integer.MAX_VALUE, positive(h, key, (long) fallback));
    }

    static long positive(JsonObject h, String key, long fallback) {
        JsonValue v = h.get(key);
        if (v == null || v == JsonValue.NULL) {
            return fallback;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 1 || n.longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'handler." + key + "' must be a positive integer, not " + v);
        }
        return n.longValue();
    }

    static float[] numbers(JsonObject h, String key, int count, float[] fallback) {
        if (!h.containsKey(key) || h.get(key) == JsonValue.NULL) {
            return fallback.clone();
        }
        if (!(h.get(key) instanceof JsonArray a) || a.size() != count || !a.stream().allMatch(x -> x instanceof JsonNumber)) {
            throw new IllegalArgumentException("'handler." + key + "' must be " + count + " numbers");
        }
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) a.getJsonNumber(i).doubleValue();
        }
        return out;
    }

    static boolean flag(JsonObject h, String key, boolean fallback) {
        JsonValue v = h.get(key);
        if (v == null || v == JsonValue.NULL) {
            return fallback;
        }
        if (v != JsonValue.TRUE && v != JsonValue.FALSE) {
            throw new IllegalArgumentException("'handler." + key + "' must be true or false");
        }
        return v == JsonValue.TRUE;
    }
}
