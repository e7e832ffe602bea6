package dev.seraphim.api.torchserve;

import dev.seraphim.api.ApiError;
import dev.seraphim.api.codec.JsonOutput;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** TorchServe's error body: {"code": 404, "type": "ModelNotFoundException", "message": "..."}. */
public final class TorchServeErrors {
    private TorchServeErrors() {
    }

    public static Response response(ApiError e) {
        String type = switch (e.status()) {
            case 400 -> "BadRequestException";
            case 404 -> "ModelNotFoundException";
            case 409 -> "ConflictStatusException";
            case 413 -> "RequestTooLargeException";
            case 503 -> "ServiceUnavailableException";
            case 504 -> "RequestTimeoutException";
            default -> e.status() < 500 ? "BadRequestException" : "InternalServerException";
        };
        byte[] body = new JsonOutput().raw("{\"code\":").raw(Integer.toString(e.status())).raw(",\"type\":").string(type)
                .raw(",\"message\":").string(e.message()).raw("}").toByteArray();
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds());
        }
        return r.build();
    }

    public static boolean isTorchServePath(String path) {
        return path.equals("ping") || path.startsWith("ping/") || path.equals("models") || path.startsWith("models/")
                || path.startsWith("predictions/");
    }
}
