package dev.seraphim.api.codec;

/** The request body is not the JSON the endpoint expects; the message says where and what. */
public class MalformedJsonException extends RuntimeException {
    public MalformedJsonException(String message) {
        super(message);
    }
}
