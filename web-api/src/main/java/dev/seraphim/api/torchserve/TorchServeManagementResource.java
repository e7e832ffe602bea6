package dev.seraphim.api.torchserve;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistration;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.ModelVersion;
import dev.seraphim.registry.RegisteredModel;
import dev.seraphim.registry.RegistrySettings;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;

/**
 * TorchServe's management API (pytorch/serve docs/management_api.md) over the same registry: register from the
 * model store, scale workers (0 unloads, more loads), describe, list, set the default, unregister.
 */
@ErrorShape(ErrorStyle.TORCHSERVE)
@Path("models")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TorchServeManagementResource {
    @Inject
    ModelLifecycle lifecycle;

    @Inject
    ModelRegistry registry;

    @Inject
    ServingStatus engine;

    @Inject
    dev.seraphim.inference.engine.InferenceGate gate;

    @Inject
    RegistrySettings settings;

    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.SecurityContext security;

    /**
     * max_worker as last asked per model/version: Seraphim runs min_worker batches at once and scales no further by
     * itself, so the bound is only shown back (this server's memory, as TorchServe keeps it).
     */
    private static final java.util.concurrent.ConcurrentMap<String, Integer> maxWorkers = new java.util.concurrent.ConcurrentHashMap<>();

    @POST
    public Response register(@QueryParam("url") String url, @QueryParam("model_name") String modelName,
                             @QueryParam("batch_size") String batchSizeParam,
                             @QueryParam("max_batch_delay") String maxBatchDelayParam,
                             @QueryParam("initial_workers") String initialWorkersParam,
                             @QueryParam("response_timeout") String responseTimeoutParam,
                             @QueryParam("synchronous") String synchronousParam) throws IOException {
        int batchSize = integer("batch_size", batchSizeParam, 1);
        int maxBatchDelay = integer("max_batch_delay", maxBatchDelayParam, 100);
        int initialWorkers = integer("initial_workers", initialWorkersParam, 0);
        int responseTimeout = integer("response_timeout", responseTimeoutParam, 120);
        boolean synchronous = bool("synchronous", synchronousParam, false);
        if (url == null || url.isBlank()) {
            throw new ApiError.BadRequestException("Parameter url is required.");
        }
        java.nio.file.Path store = settings.demoStore();
        java.nio.file.Path file;
        try {
            file = store.resolve(localPart(url)).normalize();
        } catch (IllegalArgumentException e) {
            file = null;
        }
        if (file == null || !file.startsWith(store) || !Files.isRegularFile(file)) {
            throw new ApiError.BadRequestException("url must name a file inside the model store; '" + url + "' does not");
        }
        String stem = file.getFileName().toString().replaceFirst("\\.(mar|pt|pth|torchscript)$", "");
        java.nio.file.Path descriptor = file.resolveSibling(stem + ".json");
        if (!Files.isRegularFile(descriptor)) {
            throw new ApiError.BadRequestException("the model store has no " + stem + ".json beside " + file.getFileName()
                    + " to give the model's inputs and outputs (see docs/model-store.md)");
        }
        JsonObject signature;
        try (JsonReader r = Json.createReader(Files.newInputStream(descriptor))) {
            signature = r.readObject();
        }
        String name = modelName != null ? modelName : signature.getString("name", stem);
        // TorchServe takes the version from the archive's manifest (a plain file has none: "1"), and refuses one
        // already registered rather than adding another
        String version = file.getFileName().toString().endsWith(".mar")
                ? dev.seraphim.registry.ModelArchive.manifestVersion(file).orElse("1") : "1";
        if (registry.findVersion(name, version).isPresent()) {
            throw new dev.seraphim.registry.RegistryConflictException("Model version " + version + " is already registered for model "
                    + name + "; register an archive whose MANIFEST gives a new modelVersion, or use POST /api/v1/models");
        }
        JsonObjectBuilder metadata = Json.createObjectBuilder().add("name", name).add("version", version)
                .add("inputs", signature.getJsonArray("inputs")).add("outputs", signature.getJsonArray("outputs"))
                .add("batching", Json.createObjectBuilder().add("max_batch_size", Math.max(1, batchSize))
                        .add("max_batch_delay_ms", Math.max(0, maxBatchDelay)).add("workers", Math.max(1, initialWorkers)))
                .add("timeout_ms", responseTimeout * 1000L)
                .add("load", initialWorkers > 0);
        if (signature.containsKey("padding")) {
            metadata.add("padding", signature.getJsonObject("padding"));
        }
        if (signature.containsKey("intra_op_threads")) {
            // not a TorchServe parameter: the store's descriptor is the only place that says it
            metadata.add("intra_op_threads", signature.get("intra_op_threads"));
        }
        ModelVersion v;
        try (InputStream in = Files.newInputStream(file)) {
            v = lifecycle.register(in, ModelRegistration.fromMetadata(metadata.build(), actor()));
        }
        if (initialWorkers > 0 && !synchronous) {
            return Response.accepted(status("Processing worker updates...")).build();
        }
        return Response.ok(status("Model \"" + name + "\" Version: " + v.version() + " registered with " + initialWorkers
                + " initial workers" + (initialWorkers == 0 ? ". Use scale workers API to add workers for the model." : ""))).build();
    }

    /** The path a url names inside the store: a plain relative path, or a file: URI (opaque or hierarchical). */
    private static String localPart(String url) {
        if (!url.startsWith("file:")) {
            return url;
        }
        try {
            URI u = new URI(url);
            return u.isOpaque() ? u.getSchemeSpecificPart() : java.nio.file.Path.of(u).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @GET
    public String list(@QueryParam("limit") String limitParam, @QueryParam("next_page_token") String tokenParam) {
        int limit = integer("limit", limitParam, 100);
        if (limit < 0 || limit > 100) {
            limit = 100;  // TorchServe's rule
        }
        int token = integer("next_page_token", tokenParam, 0);
        List<RegisteredModel> models = registry.models();
        int from = Math.max(0, Math.min(token, models.size()));
        int to = Math.min(models.size(), from + Math.max(1, limit));
        JsonArrayBuilder page = Json.createArrayBuilder();
        for (RegisteredModel m : models.subList(from, to)) {
            String url = current(m.name()).map(ModelVersion::artifactPath).orElse("");
            page.add(Json.createObjectBuilder().add("modelName", m.name()).add("modelUrl", url));
        }
        JsonObjectBuilder body = Json.createObjectBuilder().add("models", page);
        if (to < models.size()) {
            body.add("nextPageToken", Integer.toString(to));
        }
        return body.build().toString();
    }

    @GET
    @Path("{model}")
    public String describeDefault(@PathParam("model") String model, @QueryParam("customized") String customized) {
        return Json.createArrayBuilder().add(describe(requireCurrent(model), bool("customized", customized, false))).build().toString();
    }

    @GET
    @Path("{model}/all")
    public String describeAll(@PathParam("model") String model, @QueryParam("customized") String customized) {
        JsonArrayBuilder all = Json.createArrayBuilder();
        requireModel(model);
        boolean custom = bool("customized", customized, false);
        registry.versions(model).forEach(v -> all.add(describe(v, custom)));
        return all.build().toString();
    }

    @GET
    @Path("{model}/{version}")
    public String describeVersion(@PathParam("model") String model, @PathParam("version") String version,
                                  @QueryParam("customized") String customized) {
        return Json.createArrayBuilder().add(describe(requireVersion(model, version), bool("customized", customized, false))).build().toString();
    }

    @PUT
    @Path("{model}")
    public Response scaleDefault(@PathParam("model") String model, @QueryParam("min_worker") String minWorker,
                                 @QueryParam("max_worker") String maxWorker, @QueryParam("synchronous") String synchronous) {
        return scale(model, requireCurrent(model).version(), minWorker, maxWorker, synchronous);
    }

    @PUT
    @Path("{model}/{version}")
    public Response scaleVersion(@PathParam("model") String model, @PathParam("version") String version,
                                 @QueryParam("min_worker") String minWorker, @QueryParam("max_worker") String maxWorker,
                                 @QueryParam("synchronous") String synchronous) {
        requireVersion(model, version);
        return scale(model, version, minWorker, maxWorker, synchronous);
    }

    /** TorchServe's rules: max_worker defaults to min_worker and may not be below it; min_worker workers run. */
    private Response scale(String model, String version, String minParam, String maxParam, String synchronousParam) {
        int minWorker = integer("min_worker", minParam, 1);
        int maxWorker = integer("max_worker", maxParam, minWorker);
        boolean synchronous = bool("synchronous", synchronousParam, false);
        if (minWorker < 0) {
            throw new ApiError.BadRequestException("min_worker cannot be negative.");
        }
        if (maxWorker < minWorker) {
            throw new ApiError.BadRequestException("max_worker cannot be less than min_worker.");
        }
        int workers = minWorker;
        ModelVersion v = requireVersion(model, version);
        maxWorkers.put(model + "/" + version, maxWorker);
        if (workers == 0) {
            lifecycle.unload(model, version, actor());
        } else {
            lifecycle.changeSettings(model, version, null, null, null, workers, null, actor());
            if (engine.version(model, version).isEmpty()) {
                lifecycle.load(model, version, actor());
            }
        }
        if (!synchronous) {
            return Response.accepted(status("Processing worker updates...")).build();
        }
        return Response.ok(status("Workers scaled to " + workers + " for model: " + model + ", version: " + v.version())).build();
    }

    @PUT
    @Path("{model}/{version}/set-default")
    public String setDefault(@PathParam("model") String model, @PathParam("version") String version) {
        lifecycle.setDefault(model, version, actor());
        return status("Default version successfully updated for model \"" + model + "\" to \"" + version + "\"");
    }

    @DELETE
    @Path("{model}")
    public String unregisterDefault(@PathParam("model") String model) {
        return unregister(model, requireCurrent(model).version());
    }

    @DELETE
    @Path("{model}/{version}")
    public String unregister(@PathParam("model") String model, @PathParam("version") String version) {
        RegisteredModel m = requireModel(model);
        requireVersion(model, version);
        if (m.defaultVersion().filter(version::equals).isPresent() && registry.versions(model).size() > 1) {
            throw new ApiError.BadRequestException("Can't remove default version: " + version
                    + "; make another version the default first (PUT /models/" + model + "/{version}/set-default)");
        }
        lifecycle.delete(model, version, true, actor());
        return status("Model \"" + model + "\" unregistered");
    }

    private JsonObject describe(ModelVersion v, boolean customized) {
        String name = v.model().name();
        var here = engine.version(name, v.version());
        var batching = here.map(dev.seraphim.inference.status.ServedVersion::batching).orElseGet(() -> engine.batchingFor(v.descriptor(lifecycle.artifacts().root())));
        int workers = here.isPresent() ? batching.workers() : 0;
        JsonArrayBuilder workerList = Json.createArrayBuilder();
        for (int i = 0; i < workers; i++) {
            workerList.add(Json.createObjectBuilder().add("id", Integer.toString(9000 + i))
                    .add("startTime", v.updatedAt().orElse(v.createdAt()).toString())
                    .add("status", "READY").add("gpu", engine.onGpu())
                    .add("memoryUsage", org.bytedeco.javacpp.Pointer.physicalBytes()));
        }
        var described = Json.createObjectBuilder().add("modelName", name).add("modelVersion", v.version())
                .add("modelUrl", v.artifactPath()).add("engine", "Torch").add("runtime", "libtorch")
                .add("minWorkers", workers).add("maxWorkers", Math.max(workers, maxWorkers.getOrDefault(name + "/" + v.version(), workers)))
                .add("batchSize", batching.maxBatchSize()).add("maxBatchDelay", batching.maxBatchDelayMs())
                .add("loadedAtStartup", v.importedAtStart())
                .add("workers", workerList)
                .add("jobQueueStatus", Json.createObjectBuilder()
                        .add("remainingCapacity", Math.max(0, batching.queueCapacity() - here.map(dev.seraphim.inference.status.ServedVersion::queueDepth).orElse(0)))
                        .add("pendingRequests", here.map(dev.seraphim.inference.status.ServedVersion::queueDepth).orElse(0)));
        if (customized) {
            // TorchServe's handler-defined metadata, a JSON string: here what the registry knows of the version
            var custom = Json.createObjectBuilder().add("description", v.description() == null ? "" : v.description())
                    .add("createdBy", v.createdBy()).add("createdAt", v.createdAt().toString()).add("sha256", v.artifactSha256());
            if (v.labels() != null) {
                custom.add("labels", dev.seraphim.api.codec.JsonObjects.read(v.labels()));
            }
            if (v.metrics() != null) {
                custom.add("metrics", dev.seraphim.api.codec.JsonObjects.read(v.metrics()));
            }
            described.add("customizedMetadata", custom.build().toString());
        }
        // Seraphim's own field: the version's share of unversioned requests under the model's traffic policy (docs/rollouts.md)
        gate.traffic(name).ifPresent(p -> described.add("trafficPercent", p.weights().stream()
                .filter(w -> w.version().equals(v.version())).mapToInt(dev.seraphim.traffic.TrafficPolicy.Share::percent).sum()));
        return described.build();
    }

    /** The default version, else the newest: a model registered with 0 workers has no default yet but is there. */
    private java.util.Optional<ModelVersion> current(String model) {
        java.util.Optional<ModelVersion> byDefault = registry.model(model).flatMap(RegisteredModel::defaultVersion)
                .flatMap(v -> registry.findVersion(model, v));
        if (byDefault.isPresent()) {
            return byDefault;
        }
        List<ModelVersion> all = registry.versions(model);
        return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(all.get(all.size() - 1));
    }

    private ModelVersion requireCurrent(String model) {
        requireModel(model);
        return current(model).orElseThrow(() -> new ModelNotFoundException("Model not found: " + model));
    }

    private RegisteredModel requireModel(String model) {
        return registry.model(model).orElseThrow(() -> new ModelNotFoundException("Model not found: " + model));
    }

    private ModelVersion requireVersion(String model, String version) {
        requireModel(model);
        return registry.findVersion(model, version).orElseThrow(() -> new ModelVersionNotFoundException(
                "Model version: " + version + " does not exist for model: " + model));
    }

    private static int integer(String name, String value, int otherwise) {
        if (value == null || value.isEmpty()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ApiError.BadRequestException("Parameter '" + name + "' must be an integer");
        }
    }

    private static boolean bool(String name, String value, boolean otherwise) {
        if (value == null || value.isEmpty()) {
            return otherwise;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new ApiError.BadRequestException("Parameter '" + name + "' must be true or false");
    }

    /** The key that called, as every other management API records it. */
    private String actor() {
        return security != null && security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }

    static String status(String text) {
        return Json.createObjectBuilder().add("status", text).build().toString();
    }
}
