package dev.seraphim.api.oip;

/** The server's version as reported by GET /v2. */
final class Version {
    static final String SERVER = "0.1.0";

    private Version() {
    }
}
