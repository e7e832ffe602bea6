package dev.seraphim.inference.model;

import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The JSON form of a model's signature and settings, shared by the model store's descriptors, the registry's
 * stored signature and the management API's metadata: inputs, outputs, padding, batching, timeout_ms,
 * intra_op_threads.
 */
public final class ModelDescriptors {
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final int MAX_INTRA_OP_THREADS = 1024;
    public static final int MAX_BATCH_SIZE = 65_536;
    public static final int MAX_BATCH_DELAY_MS = 60_000;
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;
    public static final int MAX_WORKERS = 256;

    private ModelDescriptors() {
    }

    /** Reads signature and settings; throws IllegalArgumentException saying what is wrong. */
    public static ModelDescriptor fromJson(JsonObject json, String name, String version, Path file) {
        if (!MODEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must match " + MODEL_NAME.pattern());
        }
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("version '" + version + "' must match " + VERSION.pattern());
        }
        if (!(json.get("inputs") instanceof JsonArray inputsJson) || inputsJson.isEmpty()) {
            throw new IllegalArgumentException("'inputs' must list the model's inputs: [{\"name\", \"datatype\", \"shape\"}]");
        }
        if (!(json.get("outputs") instanceof JsonArray outputsJson) || outputsJson.isEmpty()) {
            throw new IllegalArgumentException("'outputs' must list the model's outputs: [{\"name\", \"datatype\", \"shape\"}]");
        }
        JsonObject padding = json.get("padding") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT;
        List<TensorSpec> inputs = specs(inputsJson, padding);
        List<TensorSpec> outputs = specs(outputsJson, JsonValue.EMPTY_JSON_OBJECT);
        JsonObject batching = json.get("batching") instanceof JsonObject b ? b : JsonValue.EMPTY_JSON_OBJECT;
        Optional<Integer> workers = optionalInt(batching, "workers").or(() -> optionalInt(json, "workers"));
        ModelDescriptor.BatchingOverrides overrides = new ModelDescriptor.BatchingOverrides(
                optionalInt(batching, "max_batch_size"), optionalInt(batching, "max_batch_delay_ms"),
                optionalInt(batching, "queue_capacity"), workers);
        checkBatching(overrides);
        Optional<Long> timeout = optionalInteger(json, "timeout_ms", 63).map(JsonNumber::longValue);
        timeout.ifPresent(t -> inRange("timeout_ms", t, 1, Long.MAX_VALUE));
        Optional<Integer> threads = optionalInt(json, "intra_op_threads");
        threads.ifPresent(ModelDescriptors::checkIntraOpThreads);
        Optional<Handler> handler = Optional.empty();
        if (json.get("handler") instanceof JsonObject h) {
            handler = Optional.of(Handler.fromJson(h));
            handler.get().check(inputs, outputs);
        } else if (json.containsKey("handler") && !json.isNull("handler")) {
            throw new IllegalArgumentException("'handler' must be an object: {\"type\": \"image_classifier\", ...}");
        }
        return new ModelDescriptor(name, version, file, inputs, outputs, overrides, timeout, threads, handler);
    }

    /** The settings the descriptor overrides (batching, timeout_ms, intra_op_threads), as a descriptor writes them. */
    public static JsonObject settings(ModelDescriptor d) {
        JsonObjectBuilder batching = Json.createObjectBuilder();
        d.batching().maxBatchSize().ifPresent(v -> batching.add("max_batch_size", v));
        d.batching().maxBatchDelayMs().ifPresent(v -> batching.add("max_batch_delay_ms", v));
        d.batching().queueCapacity().ifPresent(v -> batching.add("queue_capacity", v));
        d.batching().workers().ifPresent(v -> batching.add("workers", v));
        JsonObjectBuilder b = Json.createObjectBuilder().add("batching", batching);
        d.timeoutMillis().ifPresent(v -> b.add("timeout_ms", v));
        d.intraOpThreads().ifPresent(v -> b.add("intra_op_threads", v));
        return b.build();
    }

    /** The signature as stored by the registry: inputs, outputs, padding, the handler where there is one. */
    public static JsonObject signature(ModelDescriptor d) {
        JsonObjectBuilder padding = Json.createObjectBuilder();
        d.inputs().stream().filter(TensorSpec::padded).forEach(s -> padding.add(s.name(), s.paddingValue()));
        JsonObjectBuilder b = Json.createObjectBuilder().add("inputs", specsJson(d.inputs())).add("outputs", specsJson(d.outputs()))
                .add("padding", padding);
        d.handler().ifPresent(h -> b.add("handler", h.toJson()));
        return b.build();
    }

    public static JsonArray specsJson(List<TensorSpec> specs) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (TensorSpec s : specs) {
            JsonArrayBuilder shape = Json.createArrayBuilder();
            for (long dim : s.shape()) {
                shape.add(dim);
            }
            a.add(Json.createObjectBuilder().add("name", s.name()).add("datatype", s.dataType().name()).add("shape", shape));
        }
        return a.build();
    }

    private static List<TensorSpec> specs(JsonArray array, JsonObject padding) {
        List<TensorSpec> specs = new ArrayList<>();
        for (JsonValue v : array) {
            if (!(v instanceof JsonObject o) || !(o.get("name") instanceof jakarta.json.JsonString nameJson)
                    || !(o.get("datatype") instanceof jakarta.json.JsonString typeJson) || !(o.get("shape") instanceof JsonArray shapeJson)) {
                throw new IllegalArgumentException("each tensor needs a string 'name', a string 'datatype' and a 'shape' array");
            }
            String name = nameJson.getString();
            DataType type = DataType.byName(typeJson.getString()).orElseThrow(() -> new IllegalArgumentException(
                    "tensor '" + name + "': unsupported datatype '" + typeJson.getString() + "'"));
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeJson.get(i) instanceof JsonNumber dim) || !dim.isIntegral() || dim.longValue() < -1) {
                    throw new IllegalArgumentException("tensor '" + name + "': shape holds integers, -1 for a variable dimension");
                }
                shape[i] = dim.longValue();
            }
            Double pad = padding.get(name) instanceof JsonNumber p ? p.doubleValue() : null;
            specs.add(new TensorSpec(name, type, shape, pad));
        }
        return specs;
    }

    /**
     * Throws IllegalArgumentException naming the first batching setting out of its range. Checked when a
     * registration's metadata is read, before its file or row is stored: a value the engine cannot take, kept,
     * made every view of the model fail until it was deleted.
     */
    public static void checkBatching(ModelDescriptor.BatchingOverrides b) {
        b.maxBatchSize().ifPresent(v -> inRange("batching.max_batch_size", v, 1, MAX_BATCH_SIZE));
        b.maxBatchDelayMs().ifPresent(v -> inRange("batching.max_batch_delay_ms", v, 0, MAX_BATCH_DELAY_MS));
        b.queueCapacity().ifPresent(v -> inRange("batching.queue_capacity", v, 1, MAX_QUEUE_CAPACITY));
        b.workers().ifPresent(v -> inRange("batching.workers", v, 1, MAX_WORKERS));
    }

    private static void inRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("'" + key + "' must be between " + min + " and " + max + ", not " + value);
        }
    }

    /** Throws IllegalArgumentException unless {@code threads} is a usable intra-op thread count. */
    public static void checkIntraOpThreads(int threads) {
        if (threads < 1 || threads > MAX_INTRA_OP_THREADS) {
            throw new IllegalArgumentException("intra_op_threads must be between 1 and " + MAX_INTRA_OP_THREADS
                    + " (libtorch's threads for one forward of this model), not " + threads);
        }
    }

    private static Optional<Integer> optionalInt(JsonObject o, String key) {
        return optionalInteger(o, key, 31).map(JsonNumber::intValue);
    }

    /** The key's integer (at most {@code bits} bits beside the sign), empty when absent; anything else is refused. */
    private static Optional<JsonNumber> optionalInteger(JsonObject o, String key, int bits) {
        JsonValue v = o.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.bigIntegerValue().bitLength() > bits) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, not " + v);
        }
        return Optional.of(n);
    }
}
