package dev.seraphim.inference.handler;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import jakarta.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The Hugging Face tokenizers of the text handlers (DJL's binding of the Rust {@code tokenizers} library, whose native
 * library is in the server's global library beside libtorch's): one native tokenizer per distinct tokenizer.json and
 * length setting, shared by every version that declares it, built at its first use and closed when the engine stops
 * ({@link #closeAll}). Encoding is thread-safe in the library, so requests tokenize in parallel on their own threads.
 */
public final class Tokenizers {
    private static final Logger LOG = Logger.getLogger(Tokenizers.class.getName());
    private static final Map<String, Tokenizer> SHARED = new ConcurrentHashMap<>();

    private Tokenizers() {
    }

    /** One tokenizer, its settings fixed: text in, token ids (with the special tokens) out. */
    public record Tokenizer(HuggingFaceTokenizer library) {
        public long[] ids(String text) {
            return library.encode(text).getIds();
        }
    }

    static Tokenizer shared(TextInput text) {
        String key = text.tokenizerSha256() + "/" + text.maxLength() + "/" + text.truncate();
        return SHARED.computeIfAbsent(key, k -> open(text));
    }

    private static Tokenizer open(TextInput text) {
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            // where the library unpacks its native file: the server's own directory (Liberty's working directory),
            // not the home directory of whoever runs it, which a container's read-only root may not let it write
            System.setProperty("DJL_CACHE_DIR", Path.of("").toAbsolutePath().resolve("djl").toString());
        }
        Map<String, String> options = text.truncate()
                ? Map.of("addSpecialTokens", "true", "truncation", "true", "maxLength", Integer.toString(text.maxLength()), "padding", "false")
                : Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(text.tokenizer().toString().getBytes(StandardCharsets.UTF_8)), options);
            LOG.info("tokenizer " + text.tokenizerSha256().substring(0, 12) + " ready (max_length " + text.maxLength() + ")");
            return new Tokenizer(t);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("'handler.tokenizer' is not a tokenizer.json the tokenizers library reads: " + e.getMessage());
        }
    }

    static String sha256(JsonObject tokenizer) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tokenizer.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Frees every native tokenizer; called when the engine stops, after its last request. */
    public static void closeAll() {
        SHARED.values().forEach(t -> t.library().close());
        SHARED.clear();
    }
}
