package dev.seraphim.api.codec;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;

/** The request body is not the JSON the endpoint expects; the message says where and what. */
public class MalformedJsonException extends RuntimeException implements Failure {
    public MalformedJsonException(String message) {
        super(message);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.INVALID;
    }
}
