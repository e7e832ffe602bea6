package dev.seraphim.api.registry;

import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.status.ServedVersion;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelDescriptors;
import dev.seraphim.registry.ManagementAudit;
import dev.seraphim.registry.ModelVersion;
import dev.seraphim.registry.RegisteredModel;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** The JSON the management API answers with: models, versions (with their state on this server) and audit rows. */
final class RegistryViews {
    private RegistryViews() {
    }

    static JsonObject model(RegisteredModel m, List<ModelVersion> versions, ServingStatus engine, Path store) {
        JsonArrayBuilder vs = Json.createArrayBuilder();
        versions.forEach(v -> vs.add(version(v, engine, store)));
        return Json.createObjectBuilder().add("name", m.name())
                .add("description", nullable(m.description())).add("owner", nullable(m.owner()))
                .add("created_at", m.createdAt().toString())
                .add("default_version", nullable(m.defaultVersion().orElse(null)))
                .add("previous_default_version", nullable(m.previousDefaultVersion().orElse(null)))
                .add("versions", vs).build();
    }

    static JsonObject version(ModelVersion v, ServingStatus engine, Path store) {
        ModelDescriptor d = v.descriptor(store);
        Optional<ServedVersion> here = engine.version(d.name(), d.version());
        var batching = here.map(ServedVersion::batching).orElseGet(() -> engine.batchingFor(d));
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("name", d.name()).add("version", d.version())
                .add("description", nullable(v.description()))
                .add("state", v.state().name())
                .add("loaded_here", here.isPresent())
                .add("default", v.model().defaultVersion().map(d.version()::equals).orElse(false))
                .add("last_error", nullable(v.lastError().orElse(null)))
                .add("artifact", Json.createObjectBuilder().add("sha256", v.artifactSha256()).add("bytes", v.artifactBytes()))
                .add("inputs", ModelDescriptors.specsJson(d.inputs()))
                .add("outputs", ModelDescriptors.specsJson(d.outputs()))
                .add("handler", d.handler().<jakarta.json.JsonValue>map(RegistryViews::handler).orElse(jakarta.json.JsonValue.NULL))
                .add("labels", parsed(v.labels()))
                .add("metrics", parsed(v.metrics()))
                .add("batching", Json.createObjectBuilder().add("max_batch_size", batching.maxBatchSize())
                        .add("max_batch_delay_ms", batching.maxBatchDelayMs()).add("queue_capacity", batching.queueCapacity())
                        .add("workers", batching.workers()))
                .add("intra_op_threads", here.map(ServedVersion::intraOpThreads).orElseGet(() -> engine.intraOpThreadsFor(d)))
                .add("queue_depth", here.map(ServedVersion::queueDepth).orElse(0))
                .add("created_by", v.createdBy()).add("created_at", v.createdAt().toString())
                .add("updated_by", nullable(v.updatedBy().orElse(null)))
                .add("updated_at", nullable(v.updatedAt().map(OffsetDateTime::toString).orElse(null)));
        return b.build();
    }

    /** The handler as declared, a tokenizer shown by its digest rather than its whole vocabulary. */
    private static JsonObject handler(dev.seraphim.inference.handler.Handler h) {
        JsonObject json = h.toJson();
        if (h.input() instanceof dev.seraphim.inference.handler.TextInput t) {
            return Json.createObjectBuilder(json).add("tokenizer", Json.createObjectBuilder().add("sha256", t.tokenizerSha256())).build();
        }
        return json;
    }

    static JsonObject audit(ManagementAudit a) {
        return Json.createObjectBuilder().add("id", a.id()).add("at", a.at().toString()).add("actor", a.actor())
                .add("action", a.action()).add("model", nullable(a.modelName())).add("version", nullable(a.modelVersion()))
                .add("detail", nullable(a.detail())).add("outcome", a.outcome()).add("error", nullable(a.errorText())).build();
    }

    private static JsonValue nullable(String s) {
        return s == null ? JsonValue.NULL : Json.createValue(s);
    }

    private static JsonValue parsed(String json) {
        if (json == null) {
            return JsonValue.NULL;
        }
        try (JsonReader r = Json.createReader(new StringReader(json))) {
            return r.readValue();
        }
    }
}
