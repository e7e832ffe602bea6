package dev.seraphim.security;

import java.time.Instant;

/**
 * One line of the access audit: an authentication failure, a refusal, or a management call, with the key id
 * (never a secret), the masked client address and the path without its query string.
 */
public record AccessEvent(Instant at, String requestId, String keyId, String clientAddress, String method, String path,
                          int httpStatus, String event) {
}
