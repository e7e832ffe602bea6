package dev.seraphim.api;

import dev.seraphim.api.oip.OipErrors;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The one exception mapper: {@link ApiError} decides the status and message, and each API style renders it
 * its own way (OIP {"error": ...} under /v2, TorchServe's {"code", "type", "message"} under /models,
 * /predictions and /ping, RFC 9457 problem+json for /api/v1).
 */
@Provider
public class ApiErrorMapper implements ExceptionMapper<Throwable> {
    @Context
    UriInfo uriInfo;

    @Override
    public Response toResponse(Throwable failure) {
        ApiError error = ApiError.of(failure);
        String path = uriInfo == null ? "" : uriInfo.getPath();
        return render(error, path);
    }

    public static Response render(ApiError error, String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.startsWith("v2")) {
            return OipErrors.response(error);
        }
        if (dev.seraphim.api.torchserve.TorchServeErrors.isTorchServePath(p)) {
            return dev.seraphim.api.torchserve.TorchServeErrors.response(error);
        }
        return Problem.response(error, "/" + p);
    }
}
