package dev.seraphim.api.codec;

/**
 * How large one request's tensors may be: elements per input tensor and rows (the first dimension, the batch)
 * per input. Both are answered 413 before any buffer is allocated, so that a small body declaring a huge shape
 * cannot make the server reserve memory for it.
 */
public record TensorLimits(long maxElements, long maxRows) {

    /** One input's shape, checked against the limits. */
    public void check(String input, long[] shape, long elements) {
        if (shape.length > 0 && shape[0] > maxRows) {
            throw new RequestLimitException("input '" + input + "' has " + shape[0] + " rows; this server takes at most "
                    + maxRows + " rows per request (seraphim.api.max.request.rows): split the batch");
        }
        if (elements > maxElements) {
            throw new RequestLimitException("input '" + input + "' has " + elements + " elements; this server takes at most "
                    + maxElements + " elements per tensor (seraphim.api.max.tensor.elements)");
        }
    }

    /** A request beyond one of the server's size limits (HTTP 413). */
    public static final class RequestLimitException extends RuntimeException implements dev.seraphim.failure.Failure {
        public RequestLimitException(String message) {
            super(message);
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.TOO_LARGE;
        }
    }
}
