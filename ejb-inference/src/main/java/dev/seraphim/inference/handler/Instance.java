package dev.seraphim.inference.handler;

import java.util.Map;

/**
 * One thing a client sent to a model with a handler, before preprocessing: encoded bytes (an image, or UTF-8 text),
 * a string (text, or for an image model the base64 of the image), or a record of named features.
 */
public sealed interface Instance {
    /** Bytes as sent: an encoded image, or text in UTF-8. */
    record Encoded(byte[] bytes) implements Instance {
        /**
         * Base64 decoded strictly, line breaks and spaces apart (a MIME decoder would skip any stray character and
         * decode what remains); IllegalArgumentException saying what is wrong.
         */
        public static byte[] base64(String text) {
            return java.util.Base64.getDecoder().decode(text.replaceAll("[\\r\\n ]", ""));
        }
    }

    /** A JSON string: the text itself, or the base64 of an image for an image model. */
    record Text(String text) implements Instance {
    }

    /** Named features: each value a Number, a String (a category) or anything else (refused, naming it). */
    record Fields(Map<String, Object> values) implements Instance {
    }
}
