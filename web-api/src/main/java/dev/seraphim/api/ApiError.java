package dev.seraphim.api;

import dev.seraphim.api.codec.MalformedJsonException;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.InferenceTimeoutException;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.batching.QueueFullException;
import dev.seraphim.inference.tensor.InvalidTensorException;
import jakarta.ws.rs.WebApplicationException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What any failure means to a caller, decided in one place for every API style: the status, a message that
 * says what to fix, and for overload how long to wait. Unexpected failures are logged here with their stack
 * and answered with a generic message, never with the exception's own text.
 */
public record ApiError(int status, String title, String message, Integer retryAfterSeconds, String outcome) {
    private static final Logger LOG = Logger.getLogger(ApiError.class.getName());

    public static ApiError of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof MalformedJsonException || t instanceof InvalidTensorException || t instanceof BadRequestException) {
            return new ApiError(400, "Bad Request", t.getMessage(), null, "client_error");
        }
        if (t instanceof InferenceFailedException) {
            return new ApiError(400, "Bad Request", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.registry.InvalidArtifactException) {
            return new ApiError(400, "Bad Request", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.registry.RegistryConflictException) {
            return new ApiError(409, "Conflict", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.registry.ArtifactTooLargeException) {
            return new ApiError(413, "Content Too Large", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.registry.ModelLoadFailedException) {
            return new ApiError(422, "Unprocessable Content", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.api.feedback.FeedbackResource.UnprocessableFeedbackException) {
            return new ApiError(422, "Unprocessable Content", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.api.security.ModelNotAllowedException) {
            return new ApiError(403, "Forbidden", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.security.KeyNotFoundException) {
            return new ApiError(404, "Not Found", t.getMessage(), null, "client_error");
        }
        if (t instanceof ModelNotFoundException) {
            return new ApiError(404, "Not Found", t.getMessage(), null, "client_error");
        }
        if (t instanceof RequestBody.PayloadTooLargeException) {
            return new ApiError(413, "Content Too Large", t.getMessage(), null, "client_error");
        }
        if (t instanceof dev.seraphim.api.codec.TensorLimits.RequestLimitException) {
            return new ApiError(413, "Content Too Large", t.getMessage(), null, "client_error");
        }
        if (t instanceof NotFoundException || t instanceof jakarta.batch.operations.NoSuchJobExecutionException) {
            return new ApiError(404, "Not Found", t instanceof NotFoundException ? t.getMessage() : "no such job execution", null, "client_error");
        }
        if (t instanceof ConflictException) {
            return new ApiError(409, "Conflict", t.getMessage(), null, "client_error");
        }
        if (t instanceof QueueFullException q) {
            return new ApiError(503, "Service Unavailable", t.getMessage(), q.retryAfterSeconds(), "rejected");
        }
        if (t instanceof ModelNotReadyException) {
            return new ApiError(503, "Service Unavailable", t.getMessage(), 5, "rejected");
        }
        if (t instanceof InferenceTimeoutException) {
            return new ApiError(504, "Gateway Timeout", t.getMessage(), null, "timeout");
        }
        if (t instanceof java.sql.SQLException || t instanceof jakarta.persistence.PersistenceException) {
            // a dependency is down, not a defect here: the caller may retry, operators see readiness DOWN
            LOG.warning("database unavailable while serving a request: " + t);
            return new ApiError(503, "Service Unavailable", "the database is unavailable; retry later", 5, "server_error");
        }
        if (t instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            String message = switch (status) {
                case 401 -> "this endpoint needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>";
                case 403 -> "this API key's role may not call this endpoint";
                case 404 -> "no such resource; see /openapi for the API";
                case 405 -> "this method is not allowed on this resource";
                case 406 -> "cannot produce the requested media type";
                case 415 -> "unsupported media type; send application/json";
                default -> w.getMessage();
            };
            return new ApiError(status, w.getResponse().getStatusInfo().getReasonPhrase(), message, null,
                    status >= 500 ? "server_error" : "client_error");
        }
        LOG.log(Level.SEVERE, "unexpected failure while serving a request", t);
        return new ApiError(500, "Internal Server Error", "the server failed to process the request; the failure was logged",
                null, "server_error");
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof jakarta.ejb.EJBException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A request the caller must change, found by an API layer (not by the engine). */
    public static class BadRequestException extends RuntimeException {
        public BadRequestException(String message) {
            super(message);
        }
    }

    /** A resource the caller named does not exist (404), with a message that says which. */
    public static class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }

    /** The request conflicts with the resource's state (409). */
    public static class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }
}
