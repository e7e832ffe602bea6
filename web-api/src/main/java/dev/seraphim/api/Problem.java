package dev.seraphim.api;

import dev.seraphim.api.codec.JsonOutput;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details, the error body of our own API (/api/v1). */
public final class Problem {
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problem() {
    }

    public static Response response(ApiError e, String instance) {
        JsonOutput json = new JsonOutput().raw("{\"type\":").string("about:blank")
                .raw(",\"title\":").string(e.title())
                .raw(",\"status\":").raw(Integer.toString(e.status()))
                .raw(",\"detail\":").string(e.message())
                .raw(",\"instance\":").string(instance).raw("}");
        Response.ResponseBuilder r = Response.status(e.status()).type(MEDIA_TYPE).entity(json.toByteArray());
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds());
        }
        return r.build();
    }
}
