package dev.seraphim.inference.model;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model-store directory: each model is a TorchScript file with a JSON descriptor beside it
 * ({@code <name>.json}: name, version, file, inputs, outputs, optional padding, batching and timeout_ms).
 */
public final class ModelStore {
    static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path directory;

    public ModelStore(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    public List<ModelDescriptor> scan() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("model store " + directory + " is not a directory");
        }
        List<ModelDescriptor> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path descriptor : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                found.add(read(descriptor));
            }
        }
        return found;
    }

    ModelDescriptor read(Path descriptorFile) throws IOException {
        JsonObject json;
        try (InputStream in = Files.newInputStream(descriptorFile); JsonReader reader = Json.createReader(in)) {
            json = reader.readObject();
        } catch (RuntimeException e) {
            throw new IOException("descriptor " + descriptorFile.getFileName() + " is not valid JSON: " + e.getMessage(), e);
        }
        try {
            String name = json.getString("name");
            if (!MODEL_NAME.matcher(name).matches()) {
                throw new IOException("descriptor " + descriptorFile.getFileName() + ": model name '" + name + "' must match "
                        + MODEL_NAME.pattern());
            }
            String version = json.getString("version", "1");
            Path file = directory.resolve(json.getString("file")).normalize();
            if (!file.startsWith(directory)) {
                throw new IOException("descriptor " + descriptorFile.getFileName() + ": file must be inside the model store");
            }
            JsonObject padding = json.containsKey("padding") ? json.getJsonObject("padding") : JsonValue.EMPTY_JSON_OBJECT;
            List<TensorSpec> inputs = specs(json.getJsonArray("inputs"), padding);
            List<TensorSpec> outputs = specs(json.getJsonArray("outputs"), JsonValue.EMPTY_JSON_OBJECT);
            JsonObject batching = json.containsKey("batching") ? json.getJsonObject("batching") : JsonValue.EMPTY_JSON_OBJECT;
            ModelDescriptor.BatchingOverrides overrides = new ModelDescriptor.BatchingOverrides(
                    optionalInt(batching, "max_batch_size"), optionalInt(batching, "max_batch_delay_ms"),
                    optionalInt(batching, "queue_capacity"), optionalInt(batching, "workers"));
            Optional<Long> timeout = json.containsKey("timeout_ms") ? Optional.of(json.getJsonNumber("timeout_ms").longValueExact())
                    : Optional.empty();
            return new ModelDescriptor(name, version, file, inputs, outputs, overrides, timeout);
        } catch (NullPointerException | ClassCastException e) {
            throw new IOException("descriptor " + descriptorFile.getFileName() + " lacks a required field or has a wrong type: "
                    + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(JsonArray array, JsonObject padding) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (JsonObject o : array.getValuesAs(JsonObject.class)) {
            String name = o.getString("name");
            DataType type = DataType.byName(o.getString("datatype"))
                    .orElseThrow(() -> new IOException("unsupported datatype " + o.getString("datatype")));
            long[] shape = o.getJsonArray("shape").getValuesAs(JsonNumber.class).stream().mapToLong(JsonNumber::longValueExact).toArray();
            Double pad = padding.containsKey(name) ? padding.getJsonNumber(name).doubleValue() : null;
            specs.add(new TensorSpec(name, type, shape, pad));
        }
        return specs;
    }

    private static Optional<Integer> optionalInt(JsonObject o, String key) {
        return o.containsKey(key) ? Optional.of(o.getInt(key)) : Optional.empty();
    }
}
