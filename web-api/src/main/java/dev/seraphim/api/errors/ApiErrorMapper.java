package dev.seraphim.api.errors;

import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The one exception mapper: {@link ApiError} decides the status and message, and the failing resource's
 * {@link ErrorShape} renders it (by the path only where no resource matched).
 */
@Provider
public class ApiErrorMapper implements ExceptionMapper<Throwable> {
    @Context
    UriInfo uriInfo;

    @Context
    ResourceInfo resource;

    @Override
    public Response toResponse(Throwable failure) {
        ApiError error = ApiError.of(failure);
        String path = uriInfo == null ? "" : uriInfo.getPath();
        Class<?> type = resource == null ? null : resource.getResourceClass();
        ErrorShape shape = type == null ? null : type.getAnnotation(ErrorShape.class);
        return (shape != null ? shape.value() : ErrorStyle.forPath(path)).render(error, path.startsWith("/") ? path : "/" + path);
    }
}
