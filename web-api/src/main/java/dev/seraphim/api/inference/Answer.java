package dev.seraphim.api.inference;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** An inference answer as written once: its bytes, media type and any headers of the style. */
public record Answer(byte[] body, String mediaType, Map<String, Object> headers) {
    public static Answer json(byte[] body) {
        return new Answer(body, MediaType.APPLICATION_JSON, Map.of());
    }

    Response response() {
        Response.ResponseBuilder ok = Response.ok(body).type(mediaType);
        headers.forEach(ok::header);
        return ok.build();
    }
}
