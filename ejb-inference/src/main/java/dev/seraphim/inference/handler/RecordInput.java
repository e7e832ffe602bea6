package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records of named features to the model's one FP32 input [n, width], the features in their declared order: a
 * number standardised by its {@code mean} and {@code std} where given, a category as its index or one-hot over its
 * declared categories. A missing, unknown or non-numeric feature, or an unknown category, is refused naming it.
 */
public record RecordInput(List<Feature> features) implements Preprocessing {
    public enum Encoding { INDEX, ONE_HOT }

    /** One feature: numeric ({@code categories} empty) or categorical. */
    public record Feature(String name, double mean, double std, List<String> categories, Encoding encoding) {
        int width() {
            return categories.isEmpty() || encoding == Encoding.INDEX ? 1 : categories.size();
        }
    }

    public RecordInput {
        features = List.copyOf(features);
    }

    static RecordInput fromJson(JsonObject h) {
        if (!(h.get("features") instanceof jakarta.json.JsonArray list) || list.isEmpty()) {
            throw new IllegalArgumentException("'handler.features' must list the model's features in input order: names, or objects"
                    + " {\"name\", \"mean\", \"std\"} or {\"name\", \"categories\": [...], \"encoding\": \"one_hot\" | \"index\"}");
        }
        List<Feature> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonValue v : list) {
            Feature f = feature(v);
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("'handler.features' names '" + f.name() + "' twice");
            }
            out.add(f);
        }
        return new RecordInput(out);
    }

    private static Feature feature(JsonValue v) {
        if (v instanceof JsonString s) {
            return new Feature(s.getString(), 0, 1, List.of(), Encoding.INDEX);
        }
        if (!(v instanceof JsonObject o) || !(o.get("name") instanceof JsonString name) || name.getString().isEmpty()) {
            throw new IllegalArgumentException("each of 'handler.features' must be a name or an object with a \"name\"");
        }
        String n = name.getString();
        if (o.get("categories") instanceof jakarta.json.JsonArray c) {
            List<String> categories = new ArrayList<>();
            for (JsonValue x : c) {
                if (!(x instanceof JsonString cs) || categories.contains(cs.getString())) {
                    throw new IllegalArgumentException("feature '" + n + "': categories must be distinct strings");
                }
                categories.add(cs.getString());
            }
            if (categories.isEmpty()) {
                throw new IllegalArgumentException("feature '" + n + "': categories must not be empty");
            }
            String e = o.getString("encoding", "one_hot");
            Encoding encoding = switch (e) {
                case "one_hot" -> Encoding.ONE_HOT;
                case "index" -> Encoding.INDEX;
                default -> throw new IllegalArgumentException("feature '" + n + "': encoding must be \"one_hot\" or \"index\"");
            };
            return new Feature(n, 0, 1, categories, encoding);
        }
        double mean = o.get("mean") instanceof JsonNumber m ? m.doubleValue() : 0;
        double std = o.get("std") instanceof JsonNumber s ? s.doubleValue() : 1;
        if (!(std > 0)) {
            throw new IllegalArgumentException("feature '" + n + "': std must be above 0");
        }
        return new Feature(n, mean, std, List.of(), Encoding.INDEX);
    }

    public int width() {
        return features.stream().mapToInt(Feature::width).sum();
    }

    @Override
    public void write(JsonObjectBuilder b) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Feature f : features) {
            JsonObjectBuilder o = Json.createObjectBuilder().add("name", f.name());
            if (f.categories().isEmpty()) {
                o.add("mean", f.mean()).add("std", f.std());
            } else {
                JsonArrayBuilder c = Json.createArrayBuilder();
                f.categories().forEach(c::add);
                o.add("categories", c).add("encoding", f.encoding() == Encoding.ONE_HOT ? "one_hot" : "index");
            }
            list.add(o);
        }
        b.add("features", list);
    }

    @Override
    public void check(List<TensorSpec> inputs) {
        if (inputs.size() != 1 || inputs.get(0).dataType() != DataType.FP32 || inputs.get(0).shape().length != 2
                || inputs.get(0).shape()[1] != width()) {
            throw new IllegalArgumentException("a record handler of these features feeds one FP32 input [-1, " + width()
                    + "] (one column per numeric or index-encoded feature, one per category when one-hot)");
        }
    }

    @Override
    public List<TensorData> tensors(List<Instance> instances, List<TensorSpec> inputs) {
        int width = width();
        ByteBuffer buffer = ByteBuffer.allocateDirect(instances.size() * width * Float.BYTES).order(ByteOrder.nativeOrder());
        FloatBuffer floats = buffer.asFloatBuffer();
        for (Instance instance : instances) {
            if (!(instance instanceof Instance.Fields record)) {
                throw new InvalidInstanceException("this model takes records: send an object of feature name to value, e.g. {\""
                        + features.get(0).name() + "\": ...}");
            }
            floats.put(row(record.values(), width));
        }
        return List.of(new TensorData(inputs.get(0).name(), DataType.FP32, new long[]{instances.size(), width}, buffer));
    }

    private float[] row(Map<String, Object> values, int width) {
        for (String given : values.keySet()) {
            if (features.stream().noneMatch(f -> f.name().equals(given))) {
                throw new InvalidInstanceException("unknown feature '" + given + "'; this model's features are "
                        + features.stream().map(Feature::name).toList());
            }
        }
        float[] row = new float[width];
        int at = 0;
        for (Feature f : features) {
            if (!values.containsKey(f.name()) || values.get(f.name()) == null) {
                throw new InvalidInstanceException("feature '" + f.name() + "' is missing");
            }
            Object v = values.get(f.name());
            if (f.categories().isEmpty()) {
                if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new InvalidInstanceException("feature '" + f.name() + "' must be a number, not " + describe(v));
                }
                row[at++] = (float) ((n.doubleValue() - f.mean()) / f.std());
            } else {
                int index = v instanceof String s ? f.categories().indexOf(s) : -1;
                if (index < 0) {
                    throw new InvalidInstanceException("feature '" + f.name() + "' must be one of " + f.categories() + ", not " + describe(v));
                }
                if (f.encoding() == Encoding.INDEX) {
                    row[at++] = index;
                } else {
                    row[at + index] = 1;
                    at += f.categories().size();
                }
            }
        }
        return row;
    }

    private static String describe(Object v) {
        String s = v instanceof String str ? "\"" + str + "\"" : String.valueOf(v);
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
