package dev.seraphim.failure;

/**
 * What a failure means to the caller, independent of the protocol that carries it: each API style renders a
 * kind in its own shape (an HTTP status and body for REST, a status code for gRPC).
 */
public enum FailureKind {
    /** the request is wrong and the message says what to change */
    INVALID,
    /** the named model, version, key or job does not exist */
    NOT_FOUND,
    /** the caller may not use what it named */
    FORBIDDEN,
    /** the request conflicts with the current state (an existing version, a default that must stay) */
    CONFLICT,
    /** a body, tensor or file over a limit */
    TOO_LARGE,
    /** well-formed, but what it asks cannot be done with what it gave (a model file that does not load) */
    UNPROCESSABLE,
    /** this caller has more at once than it may (a rate limit, bodies arriving): retry after the given time */
    TOO_MANY_REQUESTS,
    /** the server is at capacity for this now: retry after the given time */
    OVERLOADED,
    /** what was asked cannot be served now (not loaded, no default): retry later */
    UNAVAILABLE,
    /** no result within the time allowed */
    TIMED_OUT,
    /** the client sent its request too slowly */
    CLIENT_TOO_SLOW
}
