package dev.seraphim.api.health;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.status.ServedVersion;
import dev.seraphim.platform.database.Database;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.VersionState;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Optional;

/**
 * The seed runbooks' platform view of health. healthy: everything works; degraded: serving works but
 * something is wrong (database down — loaded models keep predicting —, model store not writable or low on
 * space, a version FAILED to load, a queue saturated); unhealthy: a model's default version is not served.
 * 200 for healthy and degraded, 503 for unhealthy.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/health")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class PlatformHealthResource {
    @Inject
    ServingStatus engine;

    @Inject
    Database database;

    @Inject
    ModelLifecycle lifecycle;

    // @Readiness is a CDI qualifier of the checks themselves
    @Inject
    @Readiness
    ModelStoreHealth store;

    @Inject
    @Readiness
    QueueHealth queues;

    @Inject
    dev.seraphim.audit.PredictionAuditTrail audit;

    @GET
    public Response health() {
        JsonObject models = modelSection();
        JsonObject db = databaseSection();
        HealthCheckResponse storeCheck = store.call();
        HealthCheckResponse queueCheck = queues.call();
        boolean serving = engine.allReady();
        boolean failedVersions = lifecycle.versionsByState().getOrDefault(VersionState.FAILED, 0L) > 0;
        java.util.List<String> withoutDefault = engine.modelsWithoutDefault();
        boolean degraded = !db.getBoolean("up") || storeCheck.getStatus() == HealthCheckResponse.Status.DOWN
                || queueCheck.getStatus() == HealthCheckResponse.Status.DOWN || failedVersions || audit.databaseFailing()
                || !withoutDefault.isEmpty();
        String status = !serving ? "unhealthy" : degraded ? "degraded" : "healthy";
        JsonObjectBuilder checks = Json.createObjectBuilder()
                .add("models", models.getString("status"))
                .add("database", db.getBoolean("up") ? "up" : "down")
                .add("model_store", storeCheck.getStatus() == HealthCheckResponse.Status.UP ? "up" : "down")
                .add("inference_queues", queueCheck.getStatus() == HealthCheckResponse.Status.UP ? "up" : "saturated")
                .add("failed_versions", lifecycle.versionsByState().getOrDefault(VersionState.FAILED, 0L))
                .add("audit_trail", audit.databaseFailing() ? "buffering" : "writing")
                .add("audit_pending_records", audit.pending())
                .add("models_without_default", Json.createArrayBuilder(withoutDefault));
        JsonObject body = Json.createObjectBuilder().add("status", status).add("checks", checks)
                .add("models_loaded", models.getJsonArray("loaded")).add("database", db).build();
        return Response.status(serving ? 200 : 503).entity(body.toString()).build();
    }

    /** The runbooks' {@code /health/all}: the platform view, the system and the models in one answer. */
    @GET
    @Path("all")
    public Response all() {
        Response platform = health();
        JsonObject body = Json.createObjectBuilder()
                .add("health", dev.seraphim.api.codec.JsonObjects.read((String) platform.getEntity()))
                .add("system", dev.seraphim.api.codec.JsonObjects.read(system()))
                .add("model", modelSection()).build();
        return Response.status(platform.getStatus()).entity(body.toString()).build();
    }

    @GET
    @Path("model")
    public String model() {
        return modelSection().toString();
    }

    @GET
    @Path("system")
    public String system() {
        Runtime rt = Runtime.getRuntime();
        HealthCheckResponse storeCheck = store.call();
        JsonObjectBuilder storeJson = Json.createObjectBuilder().add("status", storeCheck.getStatus().name().toLowerCase());
        storeCheck.getData().ifPresent(d -> d.forEach((k, v) -> storeJson.add(k, String.valueOf(v))));
        return Json.createObjectBuilder()
                .add("device", engine.device())
                .add("processors", rt.availableProcessors())
                .add("heap_used_bytes", rt.totalMemory() - rt.freeMemory()).add("heap_max_bytes", rt.maxMemory())
                .add("native_physical_bytes", org.bytedeco.javacpp.Pointer.physicalBytes())
                .add("native_allocated_bytes", org.bytedeco.javacpp.Pointer.totalBytes())
                .add("model_store", storeJson)
                .add("database", databaseSection()).build().toString();
    }

    private JsonObject modelSection() {
        JsonArrayBuilder loaded = Json.createArrayBuilder();
        for (ServedVersion m : engine.versions()) {
            loaded.add(Json.createObjectBuilder().add("name", m.name()).add("version", m.version())
                    .add("default", m.isDefault())
                    .add("queue_depth", m.queueDepth()).add("optimized", m.optimized())
                    .add("preparation", m.preparation()));
        }
        JsonObjectBuilder states = Json.createObjectBuilder();
        lifecycle.versionsByState().forEach((state, n) -> states.add(state.name(), n));
        return Json.createObjectBuilder().add("status", engine.allReady() ? "ready" : "not_ready")
                .add("loaded", loaded).add("registry_versions_by_state", states).build();
    }

    private JsonObject databaseSection() {
        Optional<Duration> rtt = database.ping();
        JsonObjectBuilder b = Json.createObjectBuilder().add("up", rtt.isPresent()).add("schema_version", database.schemaVersion());
        rtt.ifPresent(d -> b.add("round_trip_ms", d.toNanos() / 1e6));
        return b.build();
    }
}
