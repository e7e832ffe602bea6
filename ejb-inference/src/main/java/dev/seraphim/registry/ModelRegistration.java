package dev.seraphim.registry;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a registration declares besides its file: the name and version (either may be left to the registry or to
 * a .mar's manifest), the signature and serving settings, the version's description, and whether to load it and
 * probe its signature. The management APIs read it from their metadata ({@link #fromMetadata}); the retrain job
 * builds it from the version it replaces.
 */
public record ModelRegistration(Optional<String> name, Optional<String> version, ModelDescriptor declared,
                                Optional<String> description, Optional<String> owner, Optional<String> labelsJson,
                                Optional<String> metricsJson, boolean load, boolean signatureCheck, boolean handlerDeclared, String actor) {
    /** The identity a declared descriptor carries until the registration binds the real one. */
    private static final String PENDING_NAME = "pending";
    private static final Path PENDING_FILE = Path.of("model.pt");

    /**
     * The management API's metadata read whole, before anything is stored: {@link InvalidArtifactException} (400)
     * saying what is wrong.
     */
    public static ModelRegistration fromMetadata(JsonObject m, String actor) {
        Optional<String> version = text(m, "version");
        if (version.isPresent() && !ModelDescriptors.VERSION.matcher(version.get()).matches()) {
            throw new InvalidArtifactException("metadata: version '" + version.get() + "' must match " + ModelDescriptors.VERSION.pattern());
        }
        ModelDescriptor declared;
        try {
            declared = ModelDescriptors.fromJson(m, PENDING_NAME, "1", PENDING_FILE);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidArtifactException("metadata: " + e.getMessage());
        }
        return new ModelRegistration(text(m, "name"), version, declared, text(m, "description"), text(m, "owner"),
                json(m, "labels"), json(m, "metrics"), m.getBoolean("load", true), m.getBoolean("signature_check", true),
                m.containsKey("handler"), actor);
    }

    /** A version declared like {@code like} (its signature and settings), with its own description and metrics. */
    public static ModelRegistration like(ModelDescriptor like, String description, String metricsJson, boolean load, String actor) {
        return new ModelRegistration(Optional.of(like.name()), Optional.empty(), like, Optional.of(description), Optional.empty(),
                Optional.empty(), Optional.of(metricsJson), load, true, true, actor);
    }

    /** The declared descriptor under its registered name and version, on its stored file. */
    ModelDescriptor bind(String boundName, String boundVersion, Path file) {
        return new ModelDescriptor(boundName, boundVersion, file, declared.inputs(), declared.outputs(), declared.batching(),
                declared.timeoutMillis(), declared.intraOpThreads(), declared.handler());
    }

    /** Whether the metadata declared the handler itself (an object, or null for none); else a .mar's manifest may. */
    boolean declaresHandler() {
        return handlerDeclared;
    }

    private static Optional<String> text(JsonObject m, String key) {
        return m.get(key) instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    private static Optional<String> json(JsonObject m, String key) {
        return m.containsKey(key) && !m.isNull(key) ? Optional.of(m.get(key).toString()) : Optional.empty();
    }
}
