package dev.seraphim.api.grpc;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Failures as gRPC statuses, the one place the gRPC style renders a failure's kind: a status code and a message that
 * says what is wrong (never a stack trace), and for a refusal that clears with time a {@code retry-after} trailer in
 * seconds, as REST's Retry-After.
 */
final class GrpcFailures {
    private static final Logger LOG = Logger.getLogger(GrpcFailures.class.getName());
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcFailures() {
    }

    static Status.Code code(FailureKind kind) {
        return switch (kind) {
            case INVALID, UNPROCESSABLE -> Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case FORBIDDEN -> Status.Code.PERMISSION_DENIED;
            case CONFLICT -> Status.Code.FAILED_PRECONDITION;
            // a full queue and a rate limit are the caller's cue to slow down, as gRPC's RESOURCE_EXHAUSTED says
            case TOO_LARGE, TOO_MANY_REQUESTS, OVERLOADED -> Status.Code.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case TIMED_OUT -> Status.Code.DEADLINE_EXCEEDED;
            case CLIENT_TOO_SLOW -> Status.Code.CANCELLED;
        };
    }

    /** The failure as the status exception a call is closed with. */
    static StatusRuntimeException of(Throwable failure, String requestId) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Failure f) {
                Metadata trailers = new Metadata();
                OptionalInt retry = f.retryAfterSeconds();
                retry.ifPresent(seconds -> trailers.put(RETRY_AFTER, Integer.toString(seconds)));
                return Status.fromCode(code(f.kind())).withDescription(c.getMessage()).asRuntimeException(trailers);
            }
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription("the call was cancelled before its answer").asRuntimeException();
        }
        LOG.log(Level.SEVERE, "gRPC request " + requestId + " failed", t);
        return Status.INTERNAL.withDescription("the server failed to answer this request (request id " + requestId
                + "); the failure is in its log").asRuntimeException();
    }
}
