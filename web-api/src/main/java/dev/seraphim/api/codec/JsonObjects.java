package dev.seraphim.api.codec;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * A management body as a JSON-P object, with the same rules as the tensor codec: at most
 * {@link JsonDocument#MAX_DEPTH} levels, nothing after the object, valid UTF-8. JSON-P alone accepted trailing
 * garbage after the object and answered 10 000 levels of nesting with a 500.
 */
public final class JsonObjects {
    private JsonObjects() {
    }

    /** The body's object; MalformedJsonException (400) saying what is wrong otherwise. */
    public static JsonObject read(byte[] body) {
        if (!(JsonDocument.parse(body) instanceof java.util.Map)) {
            throw new MalformedJsonException("the body must be a JSON object");
        }
        try (JsonReader r = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            return r.readObject();
        }
    }

    public static JsonObject read(String body) {
        return read((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
    }

    /** A management request's body as an object, or a 400 that says the body must be one and why it is not. */
    public static JsonObject requestBody(String body) {
        try {
            return read(body);
        } catch (jakarta.json.JsonException | MalformedJsonException e) {
            throw new dev.seraphim.api.errors.ApiError.BadRequestException("the body must be a JSON object: " + e.getMessage());
        }
    }
}
