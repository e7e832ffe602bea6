package dev.seraphim.inference.handler;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classifier's post-processing, as TorchServe's image classifier answers: softmax over one row of class scores,
 * the top {@code k} classes by probability, each named by the labels (TorchServe's {@code index_to_name.json},
 * {@code {"0": ["n01440764", "tench"]}} or {@code {"0": "tench"}}), else by its index.
 */
public record Classification(int topK, Map<Integer, String> labels) {
    public Classification {
        labels = Map.copyOf(labels);
    }

    /** TorchServe's index_to_name.json read: an index to a name, or to [id, name]. */
    public static Map<Integer, String> labels(JsonObject indexToName) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> e : indexToName.entrySet()) {
            int index;
            try {
                index = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notIndex) {
                throw new IllegalArgumentException("labels: key '" + e.getKey() + "' is not a class index");
            }
            JsonValue v = e.getValue();
            String name = v instanceof JsonString s ? s.getString()
                    : v instanceof JsonArray a && !a.isEmpty() && a.get(a.size() - 1) instanceof JsonString s ? s.getString() : null;
            if (name == null) {
                throw new IllegalArgumentException("labels: class " + index + " must be a name or [id, name]");
            }
            out.put(index, name);
        }
        return out;
    }

    /** The top classes of one row of scores, most probable first, as label → probability. */
    public Map<String, Float> top(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        List<Integer> order = new ArrayList<>(scores.length);
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        Map<String, Float> top = new LinkedHashMap<>();
        for (int i : order.subList(0, Math.min(topK, scores.length))) {
            top.put(labels.getOrDefault(i, Integer.toString(i)), (float) (p[i] / sum));
        }
        return top;
    }
}
