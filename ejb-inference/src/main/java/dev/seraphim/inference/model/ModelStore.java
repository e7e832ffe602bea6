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
 * ({@code <name>.json}: name, version, file, inputs, outputs, optional padding, batching, timeout_ms and intra_op_threads).
 */
public final class ModelStore {


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
            Path file = directory.resolve(json.getString("file")).normalize();
            if (!file.startsWith(directory)) {
                throw new IOException("descriptor " + descriptorFile.getFileName() + ": file must be inside the model store");
            }
            return ModelDescriptors.fromJson(json, name, json.getString("version", "1"), file);
        } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
            throw new IOException("descriptor " + descriptorFile.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
