package dev.seraphim.api.inference;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** An inference answer as written once: its bytes, media type and any headers of the style. */
public record Answer(byte[] body, String mediaType, Map<String, Object> headers) {
    public static Answer json(byte[] body) {
        return new Answer(body, MediaType.APPLICATION_JSON, Map.of());
    }

    /** The header naming the version that answered, on every inference answer (a traffic split chooses it). */
    public static final String VERSION_HEADER = "X-Model-Version";

    Response response(String version) {
        Response.ResponseBuilder ok = Response.ok(body).type(mediaType).header(VERSION_HEADER, version);
        headers.forEach(ok::header);
        return ok.build();
    }
}
