package dev.seraphim.audit;

/**
 * What of a prediction's payload the audit trail keeps for one model: nothing (the default), a SHA-256 of the
 * request and response bodies, or those hashes plus a copy of a sampled fraction of them.
 */
public record PayloadPolicy(Mode mode, double sampleRate) {
    public enum Mode { NONE, HASH, SAMPLE }

    public static final PayloadPolicy NONE = new PayloadPolicy(Mode.NONE, 0);

    public boolean hashes() {
        return mode != Mode.NONE;
    }

    /** Whether this prediction's payload is copied; {@code draw} is uniform in [0, 1). */
    public boolean samples(double draw) {
        return mode == Mode.SAMPLE && draw < sampleRate;
    }

    /** Parses "none", "hash" or "sample"; anything else is a configuration error worth failing on. */
    public static PayloadPolicy parse(String mode, double sampleRate) {
        Mode m;
        try {
            m = Mode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("audit payload mode must be none, hash or sample, not '" + mode + "'");
        }
        if (sampleRate < 0 || sampleRate > 1) {
            throw new IllegalArgumentException("audit sample rate must be within [0, 1], not " + sampleRate);
        }
        return new PayloadPolicy(m, sampleRate);
    }
}
