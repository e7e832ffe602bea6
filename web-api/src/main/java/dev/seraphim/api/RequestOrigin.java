package dev.seraphim.api;

/**
 * Who sent a request, in the form logs and the audit trail may keep: its id, the client address masked, and
 * the API key's id hashed (null until the request is authenticated with a key).
 */
public record RequestOrigin(String requestId, String maskedClientAddress, String keyHash) {
}
