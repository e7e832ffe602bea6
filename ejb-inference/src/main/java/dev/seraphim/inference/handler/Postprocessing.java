package dev.seraphim.inference.handler;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a handler makes of one row of the model's first output. {@code softmax}: the top {@code k} classes by
 * probability, as TorchServe's classifiers answer ({@code {"label": probability}}); {@code sigmoid}: every class whose
 * own probability reaches the threshold (multi-label); {@code none}: the row's numbers as they are (regression).
 * Classes are named by the labels (TorchServe's {@code index_to_name.json}: {@code {"0": ["n01440764", "tench"]}} or
 * {@code {"0": "tench"}}), else by their index.
 */
public record Postprocessing(Kind kind, int topK, double threshold, Map<Integer, String> labels) {
    public enum Kind { SOFTMAX, SIGMOID, NONE }

    public Postprocessing {
        labels = Map.copyOf(labels);
    }

    /** The handler's {@code postprocess}, {@code top_k}, {@code threshold} and {@code labels}; {@code fallback} when absent. */
    static Postprocessing fromJson(JsonObject h, Kind fallback) {
        Kind kind = fallback;
        if (h.containsKey("postprocess")) {
            String k = h.get("postprocess") instanceof JsonString s ? s.getString() : "";
            kind = switch (k) {
                case "softmax" -> Kind.SOFTMAX;
                case "sigmoid" -> Kind.SIGMOID;
                case "none" -> Kind.NONE;
                default -> throw new IllegalArgumentException("'handler.postprocess' must be \"softmax\", \"sigmoid\" or \"none\"");
            };
        }
        double threshold = 0.5;
        if (h.containsKey("threshold")) {
            if (!(h.get("threshold") instanceof JsonNumber n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
                throw new IllegalArgumentException("'handler.threshold' must be a probability between 0 and 1");
            }
            threshold = n.doubleValue();
        }
        Map<Integer, String> labels;
        if (h.get("labels") instanceof JsonObject l) {
            labels = labels(l);
        } else if (h.containsKey("labels") && h.get("labels") != JsonValue.NULL) {
            throw new IllegalArgumentException("'handler.labels' must be an object of class index to name (TorchServe's index_to_name.json)");
        } else {
            labels = Map.of();
        }
        return new Postprocessing(kind, HandlerJson.positive(h, "top_k", 5), threshold, labels);
    }

    void write(JsonObjectBuilder b) {
        JsonObjectBuilder l = Json.createObjectBuilder();
        labels.forEach((i, name) -> l.add(Integer.toString(i), name));
        b.add("postprocess", kind.name().toLowerCase()).add("top_k", topK).add("threshold", threshold).add("labels", l);
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

    /** One row's answer: label → probability (most probable first) for softmax and sigmoid, the numbers for none. */
    public JsonValue answer(float[] row) {
        if (kind == Kind.NONE) {
            JsonArrayBuilder a = Json.createArrayBuilder();
            for (float x : row) {
                a.add(x);
            }
            return a.build();
        }
        JsonObjectBuilder out = Json.createObjectBuilder();
        ranked(row).forEach(out::add);
        return out.build();
    }

    /** The classes this row names, most probable first, with their probabilities (empty for none). */
    public Map<String, Double> ranked(float[] row) {
        if (kind == Kind.NONE) {
            return Map.of();
        }
        double[] p = kind == Kind.SOFTMAX ? softmax(row) : sigmoid(row);
        List<Integer> order = new ArrayList<>(row.length);
        for (int i = 0; i < row.length; i++) {
            if (kind == Kind.SOFTMAX || p[i] >= threshold) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        Map<String, Double> top = new LinkedHashMap<>();
        for (int i : order.subList(0, Math.min(topK, order.size()))) {
            top.put(labels.getOrDefault(i, Integer.toString(i)), p[i]);
        }
        return top;
    }

    private static double[] softmax(float[] scores) {
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
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double[] sigmoid(float[] scores) {
        double[] p = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            p[i] = 1 / (1 + Math.exp(-scores[i]));
        }
        return p;
    }
}
