package dev.seraphim.inference.handler;

import dev.seraphim.failure.FailureKind;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The text handler with the test's WordPiece tokenizer.json (vocabulary 186, [PAD] = 0 as the fixture
 * text-classifier pads), through Hugging Face's Rust tokenizers, against token ids this test computes itself from the
 * same vocabulary: BERT's lower-casing and punctuation split, greedy longest-match word pieces, [CLS] … [SEP].
 */
class TextInputTest {
    private static final JsonObject TOKENIZER = tokenizer();
    private static final List<TensorSpec> IDS = List.of(new TensorSpec("input_ids", DataType.INT64, new long[]{-1, -1}, null));

    @AfterAll
    static void free() {
        Tokenizers.closeAll();
    }

    @Test
    void textBecomesTheTokenIdsOfItsTokenizerPaddedToTheLongest() {
        Handler h = handler("{\"type\": \"text_classifier\", \"max_length\": 64}");
        List<String> texts = List.of("This movie was really GREAT, I loved it!", "Zebras?", "worst film, ever");
        TensorData t = h.tensors(texts.stream().map(s -> (Instance) new Instance.Encoded(s.getBytes(StandardCharsets.UTF_8))).toList(), IDS).get(0);
        int longest = texts.stream().mapToInt(s -> expectedIds(s).length).max().orElseThrow();
        assertArrayEquals(new long[]{3, longest}, t.shape());
        long[] all = new long[3 * longest];
        t.data().asLongBuffer().get(all);
        for (int r = 0; r < 3; r++) {
            long[] expected = java.util.Arrays.copyOf(expectedIds(texts.get(r)), longest);  // padded with 0, [PAD]
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(all, r * longest, (r + 1) * longest), texts.get(r));
        }
    }

    @Test
    void anAttentionMaskWhereTheModelTakesOne() {
        Handler h = handler("{\"type\": \"text\"}");
        List<TensorSpec> two = List.of(IDS.get(0), new TensorSpec("attention_mask", DataType.INT64, new long[]{-1, -1}, null));
        List<TensorData> t = h.tensors(List.of(new Instance.Text("good"), new Instance.Text("very good film")), two);
        long[] mask = new long[t.get(1).elementCount() > 0 ? (int) t.get(1).elementCount() : 0];
        t.get(1).data().asLongBuffer().get(mask);
        assertArrayEquals(new long[]{1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, mask);
    }

    @Test
    void longTextIsTruncatedKeepingItsSpecialTokensOrRefused() {
        String text = "the plot and the acting and the music and the story";
        long[] full = expectedIds(text);
        TensorData t = handler("{\"type\": \"text_classifier\", \"max_length\": 8}").tensors(List.of(new Instance.Text(text)), IDS).get(0);
        long[] ids = new long[8];
        t.data().asLongBuffer().get(ids);
        long[] expected = java.util.Arrays.copyOf(full, 8);
        expected[7] = 3;  // [SEP] kept at the end
        assertArrayEquals(expected, ids);
        InvalidInstanceException e = assertThrows(InvalidInstanceException.class, () -> handler(
                "{\"type\": \"text_classifier\", \"max_length\": 8, \"overflow\": \"refuse\"}").tensors(List.of(new Instance.Text(text)), IDS));
        assertEquals(FailureKind.TOO_LARGE, e.kind());
        assertEquals("the text is " + full.length + " tokens; this model takes at most 8 (its handler refuses longer text rather than truncating it)",
                e.getMessage());
        assertThrows(InvalidInstanceException.class, () -> handler("{\"type\": \"text\"}").tensors(
                List.of(new Instance.Encoded(new byte[]{(byte) 0xff, (byte) 0xfe})), IDS), "not UTF-8");
    }

    @Test
    void aTokenizerTheLibraryCannotReadIsRefusedAtDeclaration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handler.fromJson(Json.createReader(
                new java.io.StringReader("{\"type\": \"text\", \"tokenizer\": {\"model\": {\"type\": \"Nonsense\"}}}")).readObject()));
        assertEquals(true, e.getMessage().startsWith("'handler.tokenizer' is not a tokenizer.json"), e.getMessage());
    }

    private static Handler handler(String json) {
        JsonObject h = Json.createObjectBuilder(Json.createReader(new java.io.StringReader(json)).readObject()).add("tokenizer", TOKENIZER).build();
        return Handler.fromJson(h);
    }

    /** BERT's basic tokenizer and WordPiece, written from the algorithm: the independent oracle. */
    static long[] expectedIds(String text) {
        JsonObject vocab = TOKENIZER.getJsonObject("model").getJsonObject("vocab");
        List<Long> ids = new ArrayList<>(List.of(2L));
        for (String word : text.toLowerCase(Locale.ROOT).split("\\s+|(?=\\p{Punct})|(?<=\\p{Punct})")) {
            if (word.isEmpty()) {
                continue;
            }
            List<Long> pieces = new ArrayList<>();
            int start = 0;
            while (start < word.length()) {
                int end = word.length();
                Long id = null;
                while (end > start) {
                    String piece = (start > 0 ? "##" : "") + word.substring(start, end);
                    if (vocab.containsKey(piece)) {
                        id = (long) vocab.getInt(piece);
                        break;
                    }
                    end--;
                }
                if (id == null) {
                    pieces = List.of(1L);  // [UNK] for the whole word
                    break;
                }
                pieces.add(id);
                start = end;
            }
            ids.addAll(pieces);
        }
        ids.add(3L);
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static JsonObject tokenizer() {
        try (InputStream in = TextInputTest.class.getResourceAsStream("/tokenizer.json")) {
            return Json.createReader(in).readObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
