package dev.seraphim.api.errors;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ws.rs.WebApplicationException;

import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What any failure means to a caller in HTTP, decided in one place for every API style: the status, a message that
 * says what to fix, and for overload how long to wait. A domain failure says its {@link FailureKind}; the
 * container's and the libraries' exceptions are recognised here. Unexpected failures are logged here with their stack
 * and answered with a generic message, never with the exception's own text.
 */
public record ApiError(int status, String title, String message, Integer retryAfterSeconds, String outcome, String code) {
    public ApiError(int status, String title, String message, Integer retryAfterSeconds, String outcome) {
        this(status, title, message, retryAfterSeconds, outcome, null);
    }

    private static final Logger LOG = Logger.getLogger(ApiError.class.getName());
    private static final String CLIENT_ERROR = "client_error";

    public static ApiError of(Throwable failure) {
        Throwable t = unwrap(failure);
        for (Throwable c = t; c != null; c = c.getCause()) {
            // RESTEasy may wrap the reader's IOException (a body that arrived too slowly) in its own
            if (c instanceof Failure f) {
                ApiError e = of(f.kind(), c.getMessage(), f.retryAfterSeconds());
                // the failure's own name, for the styles that show one (TorchServe's "type")
                return new ApiError(e.status(), e.title(), e.message(), e.retryAfterSeconds(), e.outcome(), c.getClass().getSimpleName());
            }
        }
        return fromContainer(t);
    }

    /** What a failure of this kind is in HTTP. */
    public static ApiError of(FailureKind kind, String message, OptionalInt retryAfter) {
        Integer wait = retryAfter.isPresent() ? retryAfter.getAsInt() : null;
        return switch (kind) {
            case INVALID -> new ApiError(400, "Bad Request", message, null, CLIENT_ERROR);
            case NOT_FOUND -> new ApiError(404, "Not Found", message, null, CLIENT_ERROR);
            case FORBIDDEN -> new ApiError(403, "Forbidden", message, null, CLIENT_ERROR);
            case CONFLICT -> new ApiError(409, "Conflict", message, null, CLIENT_ERROR);
            case TOO_LARGE -> new ApiError(413, "Content Too Large", message, null, CLIENT_ERROR);
            case UNPROCESSABLE -> new ApiError(422, "Unprocessable Content", message, null, CLIENT_ERROR);
            case TOO_MANY_REQUESTS -> new ApiError(429, "Too Many Requests", message, wait, "rejected");
            case OVERLOADED, UNAVAILABLE -> new ApiError(503, "Service Unavailable", message, wait, "rejected");
            case TIMED_OUT -> new ApiError(504, "Gateway Timeout", message, null, "timeout");
            case CLIENT_TOO_SLOW -> new ApiError(408, "Request Timeout", message, null, CLIENT_ERROR);
        };
    }

    /** Failures of the container and the libraries, which know no kind: framing, I/O, JSON-P, SQL, JAX-RS. */
    private static ApiError fromContainer(Throwable t) {
        if (t instanceof jakarta.batch.operations.NoSuchJobExecutionException) {
            return new ApiError(404, "Not Found", "no such job execution", null, CLIENT_ERROR);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException) {
                return new ApiError(408, "Request Timeout", "the request body stopped arriving: no data within the server's"
                        + " read timeout (seraphim.http.read.timeout)", null, "client_error");
            }
        }
        if (isMalformedBody(t)) {
            // the container's chunked decoding refused the body (Liberty's IllegalHttpBodyException, an IOException)
            return new ApiError(400, "Bad Request", "the request body could not be read: its chunked transfer encoding is"
                    + " malformed or it ended early; send a Content-Length or well-formed chunks", null, "client_error");
        }
        if (t instanceof java.io.EOFException) {
            return new ApiError(400, "Bad Request", "the request body ended before the length its headers announced",
                    null, "client_error");
        }
        if (t instanceof java.io.IOException) {
            // reading the entity failed (an unknown charset, a multipart body without its boundary): the server's
            // own file writes never reach here as IOExceptions (the registry wraps them)
            LOG.log(Level.FINE, "request body not readable", t);
            return new ApiError(400, "Bad Request", "the request body could not be read as its Content-Type declares:"
                    + " check the Content-Type (its charset, a multipart boundary) against the body", null, "client_error");
        }
        if (t instanceof jakarta.json.JsonException) {
            return new ApiError(400, "Bad Request", "the body is not valid JSON", null, "client_error");
        }
        if (t instanceof java.sql.SQLException || t instanceof jakarta.persistence.PersistenceException) {
            return DatabaseFailure.of(t);
        }
        if (t instanceof WebApplicationException w) {
            var parameter = ParameterErrors.parameter(w);
            if (parameter.isPresent()) {
                return new ApiError(400, "Bad Request", parameter.get(), null, "client_error");
            }
            int status = w.getResponse().getStatus();
            String message = switch (status) {
                case 401 -> "this endpoint needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>";
                case 403 -> "this API key's role may not call this endpoint";
                case 404 -> "no such resource; see /openapi for the API";
                case 405 -> "this method is not allowed on this resource";
                case 406 -> "cannot produce the requested media type";
                case 415 -> "unsupported media type; send application/json";
                default -> ParameterErrors.message(w);
            };
            return new ApiError(status, w.getResponse().getStatusInfo().getReasonPhrase(), message, null,
                    status >= 500 ? "server_error" : "client_error");
        }
        LOG.log(Level.SEVERE, "unexpected failure while serving a request", t);
        return new ApiError(500, "Internal Server Error", "the server failed to process the request; the failure was logged",
                null, "server_error");
    }

    private static boolean isMalformedBody(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.io.IOException && c.getClass().getName().startsWith("com.ibm.wsspi.http.channel.exception.")) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof jakarta.ejb.EJBException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A request the caller must change, found by an API layer (not by the engine). */
    public static class BadRequestException extends RuntimeException implements Failure {
        public BadRequestException(String message) {
            super(message);
        }

        @Override
        public FailureKind kind() {
            return FailureKind.INVALID;
        }
    }

    /** A resource the caller named does not exist (404), with a message that says which. */
    public static class NotFoundException extends RuntimeException implements Failure {
        public NotFoundException(String message) {
            super(message);
        }

        @Override
        public FailureKind kind() {
            return FailureKind.NOT_FOUND;
        }
    }

    /** The request conflicts with the resource's state (409). */
    public static class ConflictException extends RuntimeException implements Failure {
        public ConflictException(String message) {
            super(message);
        }

        @Override
        public FailureKind kind() {
            return FailureKind.CONFLICT;
        }
    }

    /** The caller's key may not do this (403). */
    public static class ForbiddenException extends RuntimeException implements Failure {
        public ForbiddenException(String message) {
            super(message);
        }

        @Override
        public FailureKind kind() {
            return FailureKind.FORBIDDEN;
        }
    }
}
