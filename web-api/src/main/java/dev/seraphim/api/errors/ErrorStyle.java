package dev.seraphim.api.errors;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;

/**
 * The error shapes of the API styles. A resource names its shape with {@link ErrorShape}; an answer given
 * outside any resource (the container's error pages, authentication, an unmatched URL) takes the shape of
 * the API its path belongs to ({@link #forPath}).
 */
public enum ErrorStyle {
    /** The Open Inference Protocol's {"error": "message"}. */
    OIP {
        @Override
        byte[] body(ApiError e, String instance) {
            return bytes(Json.createObjectBuilder().add("error", text(e.message())));
        }
    },
    /** TorchServe's {"code": 404, "type": "ModelNotFoundException", "message": "..."}. */
    TORCHSERVE {
        @Override
        byte[] body(ApiError e, String instance) {
            if ("ModelVersionNotFoundException".equals(e.code())) {
                return bytes(Json.createObjectBuilder().add("code", e.status()).add("type", e.code()).add("message", text(e.message())));
            }
            String type = switch (e.status()) {
                case 400 -> "BadRequestException";
                case 401, 403 -> "InvalidKeyException";
                case 405 -> "MethodNotAllowedException";
                case 404 -> "ModelNotFoundException";
                case 409 -> "ConflictStatusException";
                case 413 -> "RequestTooLargeException";
                case 503 -> "ServiceUnavailableException";
                case 504 -> "RequestTimeoutException";
                default -> e.status() < 500 ? "BadRequestException" : "InternalServerException";
            };
            return bytes(Json.createObjectBuilder().add("code", e.status()).add("type", type).add("message", text(e.message())));
        }
    },
    /** RFC 9457 problem details, the error body of Seraphim's own API (/api/v1). */
    PROBLEM {
        @Override
        byte[] body(ApiError e, String instance) {
            return bytes(Json.createObjectBuilder().add("type", "about:blank").add("title", text(e.title())).add("status", e.status())
                    .add("detail", text(e.message())).add("instance", text(instance)));
        }

        @Override
        String mediaType() {
            return PROBLEM_MEDIA_TYPE;
        }
    };

    public static final String PROBLEM_MEDIA_TYPE = "application/problem+json";

    abstract byte[] body(ApiError e, String instance);

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static byte[] bytes(JsonObjectBuilder body) {
        return body.build().toString().getBytes(StandardCharsets.UTF_8);
    }

    String mediaType() {
        return MediaType.APPLICATION_JSON;
    }

    /** The answer to {@code e} in this shape; {@code instance} is the request's path (problem+json's "instance"). */
    public Response render(ApiError e, String instance) {
        Response.ResponseBuilder r = Response.status(e.status()).type(mediaType()).entity(body(e, instance));
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds());
        }
        return r.build();
    }

    /** The shape of the API a path belongs to, for answers given outside any resource. */
    public static ErrorStyle forPath(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.equals("v2") || p.startsWith("v2/") || p.equals("v1/models") || p.startsWith("v1/models/")) {
            return OIP;
        }
        if (p.equals("ping") || p.startsWith("ping/") || p.equals("models") || p.startsWith("models/") || p.startsWith("predictions/")) {
            return TORCHSERVE;
        }
        return PROBLEM;
    }
}
