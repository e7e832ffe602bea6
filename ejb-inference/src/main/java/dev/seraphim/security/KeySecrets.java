package dev.seraphim.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Key ids, secrets and their hashes. A secret reads {@code sk_<id>_<43 random base64url chars>} (256 bits): the id
 * inside lets the server find the key without a search, the rest is never stored, only HMAC-SHA256(salt, secret).
 * A fast hash is enough for 256 random bits (no dictionary to walk), and keeps authentication off the latency.
 */
public final class KeySecrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("[a-z0-9]{1,32}");

    private KeySecrets() {
    }

    public static String newId() {
        StringBuilder b = new StringBuilder("k");
        for (int i = 0; i < 15; i++) {
            b.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
        }
        return b.toString();
    }

    public static String newSecret(String id) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "sk_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String newSalt() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The key id a presented secret names, if it has the shape of one of ours. */
    public static Optional<String> idOf(String presented) {
        if (presented == null || presented.length() > 100 || !presented.startsWith("sk_")) {
            return Optional.empty();
        }
        int end = presented.indexOf('_', 3);
        if (end < 4 || end > 3 + 32) {
            return Optional.empty();
        }
        String id = presented.substring(3, end);
        return KEY_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    public static String hash(String salt, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of a presented secret with a stored hash. */
    public static boolean matches(String secret, String salt, String storedHash) {
        if (secret == null || salt == null || storedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(salt, secret).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    /** A one-way, stable pseudonym of a key id for logs and the audit trail. */
    public static String pseudonym(String keyId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(("seraphim-key:" + keyId)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
