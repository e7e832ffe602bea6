package dev.seraphim.inference.model;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * What a scan found: the models whose descriptors could be read, and one reason for each descriptor that
     * could not (so that one bad file costs its own model, not the whole store).
     */
    public record Scan(List<ModelDescriptor> models, List<String> rejected) {
    }

    public Scan scan() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("model store " + directory + " is not a directory");
        }
        List<ModelDescriptor> found = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        java.util.Map<String, String> describedBy = new java.util.HashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path descriptor : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    ModelDescriptor d = read(descriptor);
                    String first = describedBy.putIfAbsent(d.name() + "\u0000" + d.version(), descriptor.getFileName().toString());
                    if (first != null) {
                        // a second import of the same version would replace the first one's file under it
                        throw new IOException("descriptor " + descriptor.getFileName() + ": model " + d.name() + " version "
                                + d.version() + " is already described by " + first);
                    }
                    found.add(d);
                } catch (IOException e) {
                    rejected.add(e.getMessage());
                }
            }
        }
        return new Scan(List.copyOf(found), List.copyOf(rejected));
    }

    ModelDescriptor read(Path descriptorFile) throws IOException {
        String named = "descriptor " + descriptorFile.getFileName();
        JsonObject json;
        try (InputStream in = Files.newInputStream(descriptorFile); JsonReader reader = Json.createReader(in)) {
            json = reader.readObject();
        } catch (IOException e) {
            throw new IOException(named + " could not be read (" + e.getClass().getSimpleName() + ")", e);
        } catch (RuntimeException e) {
            throw new IOException(named + " is not valid JSON: " + e.getMessage(), e);
        }
        try {
            String name = required(json, "name");
            Path file = directory.resolve(required(json, "file")).normalize();
            if (!file.startsWith(directory)) {
                throw new IOException(named + ": file must be inside the model store");
            }
            if (!Files.isRegularFile(file)) {
                throw new IOException(named + ": its file '" + directory.relativize(file) + "' is not in the model store");
            }
            return ModelDescriptors.fromJson(json, name, json.getString("version", "1"), file);
        } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
            throw new IOException(named + ": " + e.getMessage(), e);
        }
    }

    private static String required(JsonObject json, String key) {
        if (!(json.get(key) instanceof JsonString s) || s.getString().isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is required and must be a string");
        }
        return s.getString();
    }
}
