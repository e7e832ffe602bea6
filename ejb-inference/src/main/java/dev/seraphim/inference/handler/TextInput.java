package dev.seraphim.inference.handler;

import dev.seraphim.failure.FailureKind;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.LongBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text to token ids with the model version's own Hugging Face tokenizer ({@code tokenizer.json}, kept in the handler
 * and so with the version in the registry): {@code input_ids} INT64 [n, longest], shorter rows padded with the pad
 * id, and an {@code attention_mask} where the model takes a second input. Text over {@code max_length} tokens is
 * truncated (the tokenizer keeps its special tokens), or refused with 413 when {@code overflow} is "refuse".
 */
public record TextInput(JsonObject tokenizer, String tokenizerSha256, int maxLength, boolean truncate, long padId)
        implements Preprocessing {

    static TextInput fromJson(JsonObject h) {
        if (!(h.get("tokenizer") instanceof JsonObject t) || !(t.get("model") instanceof JsonObject)) {
            throw new IllegalArgumentException("'handler.tokenizer' must be the model's Hugging Face tokenizer.json (an object with a \"model\")");
        }
        String overflow = h.getString("overflow", "truncate");
        if (!overflow.equals("truncate") && !overflow.equals("refuse")) {
            throw new IllegalArgumentException("'handler.overflow' must be \"truncate\" or \"refuse\"");
        }
        long pad = t.get("padding") instanceof JsonObject p && p.get("pad_id") instanceof JsonNumber n ? n.longValue() : 0;
        if (h.get("pad_id") instanceof JsonNumber n) {
            pad = n.longValue();
        }
        TextInput text = new TextInput(t, Tokenizers.sha256(t), HandlerJson.positive(h, "max_length", 128), overflow.equals("truncate"), pad);
        Tokenizers.shared(text);  // a tokenizer.json the library cannot read is refused now, not at the first request
        return text;
    }

    @Override
    public void write(JsonObjectBuilder b) {
        b.add("tokenizer", tokenizer).add("max_length", maxLength).add("overflow", truncate ? "truncate" : "refuse").add("pad_id", padId);
    }

    @Override
    public void check(List<TensorSpec> inputs) {
        boolean ids = !inputs.isEmpty() && inputs.size() <= 2 && inputs.stream().allMatch(s -> s.dataType() == DataType.INT64 && s.shape().length == 2);
        if (!ids) {
            throw new IllegalArgumentException("a text handler feeds INT64 token ids [-1, -1] (and an INT64 attention mask [-1, -1] as a second input)");
        }
    }

    @Override
    public List<TensorData> tensors(List<Instance> instances, List<TensorSpec> inputs) {
        List<long[]> rows = new ArrayList<>(instances.size());
        int longest = 1;
        for (Instance instance : instances) {
            long[] ids = Tokenizers.shared(this).ids(text(instance));
            if (ids.length > maxLength) {
                throw new InvalidInstanceException(FailureKind.TOO_LARGE, "the text is " + ids.length + " tokens; this model takes at most "
                        + maxLength + " (its handler refuses longer text rather than truncating it)");
            }
            rows.add(ids);
            longest = Math.max(longest, ids.length);
        }
        List<TensorData> out = new ArrayList<>(2);
        out.add(matrix(inputs.get(0).name(), rows, longest, false));
        if (inputs.size() == 2) {
            out.add(matrix(inputs.get(1).name(), rows, longest, true));
        }
        return out;
    }

    private TensorData matrix(String name, List<long[]> rows, int width, boolean mask) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(rows.size() * width * Long.BYTES).order(ByteOrder.nativeOrder());
        LongBuffer longs = buffer.asLongBuffer();
        for (long[] ids : rows) {
            for (int i = 0; i < width; i++) {
                longs.put(i < ids.length ? (mask ? 1 : ids[i]) : (mask ? 0 : padId));
            }
        }
        return new TensorData(name, DataType.INT64, new long[]{rows.size(), width}, buffer);
    }

    private static String text(Instance instance) {
        if (instance instanceof Instance.Text t) {
            return t.text();
        }
        if (instance instanceof Instance.Encoded e) {
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(e.bytes()));
                return chars.toString();
            } catch (CharacterCodingException notUtf8) {
                throw new InvalidInstanceException("the text is not UTF-8");
            }
        }
        throw new InvalidInstanceException("this model takes text: send a string, not a record of fields");
    }
}
