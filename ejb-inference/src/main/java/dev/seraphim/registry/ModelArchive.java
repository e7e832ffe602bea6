package dev.seraphim.registry;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells a TorchScript file from a TorchServe model archive (.mar: a zip with MAR-INF/MANIFEST.json) and reads
 * the archive: its manifest, and the serialized TorchScript file it names. Entries that would escape the
 * archive's root are refused.
 */
public final class ModelArchive {
    record Manifest(Optional<String> modelName, Optional<String> modelVersion, String serializedFile, Optional<String> handler) {
    }

    private ModelArchive() {
    }

    /** The manifest when the file is a .mar; empty for anything else (a TorchScript file is a zip too). */
    static Optional<Manifest> manifest(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("MAR-INF/MANIFEST.json");
            if (entry == null) {
                return Optional.empty();
            }
            checkEntries(zip);
            JsonObject json;
            try (InputStream in = zip.getInputStream(entry); JsonReader r = Json.createReader(in)) {
                json = r.readObject();
            } catch (RuntimeException e) {
                throw new InvalidArtifactException("the archive's MAR-INF/MANIFEST.json is not valid JSON");
            }
            JsonObject model = json.getJsonObject("model");
            if (model == null || !model.containsKey("serializedFile")) {
                throw new InvalidArtifactException("the archive's manifest names no model.serializedFile");
            }
            return Optional.of(new Manifest(Optional.ofNullable(model.getString("modelName", null)),
                    Optional.ofNullable(model.getString("modelVersion", null)), model.getString("serializedFile"),
                    Optional.ofNullable(model.getString("handler", null))));
        } catch (ZipException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new InvalidArtifactException("the file cannot be read as an archive: " + e.getMessage());
        }
    }

    /** The modelVersion a .mar's manifest gives, for TorchServe's registration (which takes its version from there). */
    public static Optional<String> manifestVersion(Path file) {
        return manifest(file).flatMap(Manifest::modelVersion);
    }

    /** A JSON file at the archive's root (index_to_name.json, tokenizer.json), if the archive has it. */
    static Optional<JsonObject> jsonEntry(Path archive, String entryName) {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry); JsonReader r = Json.createReader(in)) {
                return Optional.of(r.readObject());
            } catch (RuntimeException e) {
                throw new InvalidArtifactException("the archive's " + entryName + " is not a JSON object");
            }
        } catch (IOException e) {
            throw new InvalidArtifactException("the file cannot be read as an archive: " + e.getMessage());
        }
    }

    static InputStream open(Path archive, String entryName, ZipFile[] holder) throws IOException {
        ZipFile zip = new ZipFile(archive.toFile());
        holder[0] = zip;
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            zip.close();
            throw new InvalidArtifactException("the archive has no entry '" + entryName + "' named by its manifest");
        }
        return zip.getInputStream(entry);
    }

    private static void checkEntries(ZipFile zip) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            Path p = Path.of("root").resolve(name).normalize();
            if (name.startsWith("/") || name.contains("\\") || !p.startsWith("root")) {
                throw new InvalidArtifactException("the archive's entry '" + name + "' escapes its root");
            }
        }
    }
}
