package dev.seraphim.api.oip;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.codec.JsonOutput;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Open Inference Protocol's error body: {"error": "message"}. */
public final class OipErrors {
    private OipErrors() {
    }

    public static Response response(ApiError e) {
        byte[] body = new JsonOutput().raw("{\"error\":").string(e.message()).raw("}").toByteArray();
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds());
        }
        return r.build();
    }
}
