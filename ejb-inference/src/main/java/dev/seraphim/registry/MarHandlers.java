package dev.seraphim.registry;

import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.model.ModelDescriptor;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The handler a TorchServe archive names in its manifest, as this server runs it: {@code image_classifier} and
 * {@code text_classifier} become ours (labels from the archive's {@code index_to_name.json}, the text classifier's
 * tokenizer from its {@code tokenizer.json}); {@code base_handler} and Python handlers are not run (the version takes
 * tensors), which the registration's audit row says. Metadata that declares a handler (or {@code "handler": null})
 * overrides the manifest.
 */
final class MarHandlers {
    private MarHandlers() {
    }

    static Optional<Handler> of(ModelArchive.Manifest manifest, Path archive, ModelDescriptor d) {
        String name = manifest.handler().orElse("");
        if (!Handler.torchServeBuiltIn(name)) {
            return Optional.empty();
        }
        JsonObjectBuilder h = Json.createObjectBuilder().add("type", name);
        ModelArchive.jsonEntry(archive, "index_to_name.json").ifPresent(labels -> h.add("labels", labels));
        if (name.equals("text_classifier")) {
            JsonObject tokenizer = ModelArchive.jsonEntry(archive, "tokenizer.json").orElseThrow(() -> new InvalidArtifactException(
                    "the archive's handler is text_classifier, which needs the model's Hugging Face tokenizer.json at the archive's root"
                            + " (or declare the handler in the metadata)"));
            h.add("tokenizer", tokenizer);
        }
        try {
            Handler handler = Handler.fromJson(h.build());
            handler.check(d.inputs(), d.outputs());
            return Optional.of(handler);
        } catch (IllegalArgumentException e) {
            throw new InvalidArtifactException("the archive's handler " + name + ": " + e.getMessage());
        }
    }

    /** For the audit row: which handler the archive named and what became of it. */
    static String note(ModelArchive.Manifest manifest, ModelDescriptor d) {
        return manifest.handler().map(h -> d.handler().isPresent() ? ", handler " + d.handler().get().type()
                : Handler.torchServeBuiltIn(h) ? ", handler " + h + " overridden by the metadata" : ", handler '" + h + "' not run (tensors in and out)").orElse("");
    }
}
