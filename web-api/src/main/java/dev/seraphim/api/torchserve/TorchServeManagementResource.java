package dev.seraphim.api.torchserve;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.engine.InferenceEngine;
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
    InferenceEngine engine;

    @Inject
    RegistrySettings settings;

    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.SecurityContext security;

    @POST
    public Response register(@QueryParam("url") String url, @QueryParam("model_name") String modelName,
                             @QueryParam("batch_size") @DefaultValue("1") int batchSize,
                             @QueryParam("max_batch_delay") @DefaultValue("100") int maxBatchDelay,
                             @QueryParam("initial_workers") @DefaultValue("0") int initialWorkers,
                             @QueryParam("response_timeout") @DefaultValue("120") int responseTimeout,
                             @QueryParam("synchronous") @DefaultValue("false") boolean synchronous) throws IOException {
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
        JsonObjectBuilder metadata = Json.createObjectBuilder().add("name", name)
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
    public String list(@QueryParam("limit") @DefaultValue("100") int limit,
                       @QueryParam("next_page_token") @DefaultValue("0") int token) {
        List<RegisteredModel> models = registry.models();
        int from = Math.max(0, Math.min(token, models.size()));
        int to = Math.min(models.size(), from + Math.max(1, limit));
        JsonArrayBuilder page = Json.createArrayBuilder();
        for (RegisteredModel m : models.subList(from, to)) {
            String url = m.defaultVersion().flatMap(v -> registry.findVersion(m.name(), v)).map(ModelVersion::artifactPath).orElse("");
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
    public String describeDefault(@PathParam("model") String model) {
        RegisteredModel m = registry.requireModel(model);
        String v = m.defaultVersion().orElseThrow(() -> new ModelNotFoundException("Model not found: " + model));
        return Json.createArrayBuilder().add(describe(registry.version(model, v))).build().toString();
    }

    @GET
    @Path("{model}/all")
    public String describeAll(@PathParam("model") String model) {
        JsonArrayBuilder all = Json.createArrayBuilder();
        registry.requireModel(model);
        registry.versions(model).forEach(v -> all.add(describe(v)));
        return all.build().toString();
    }

    @GET
    @Path("{model}/{version}")
    public String describeVersion(@PathParam("model") String model, @PathParam("version") String version) {
        return Json.createArrayBuilder().add(describe(registry.version(model, version))).build().toString();
    }

    @PUT
    @Path("{model}")
    public Response scaleDefault(@PathParam("model") String model, @QueryParam("min_worker") @DefaultValue("1") int minWorker,
                                 @QueryParam("max_worker") Integer maxWorker,
                                 @QueryParam("synchronous") @DefaultValue("false") boolean synchronous) {
        String v = registry.requireModel(model).defaultVersion()
                .orElseThrow(() -> new ModelNotFoundException("Model not found: " + model));
        return scale(model, v, minWorker, maxWorker, synchronous);
    }

    @PUT
    @Path("{model}/{version}")
    public Response scaleVersion(@PathParam("model") String model, @PathParam("version") String version,
                                 @QueryParam("min_worker") @DefaultValue("1") int minWorker, @QueryParam("max_worker") Integer maxWorker,
                                 @QueryParam("synchronous") @DefaultValue("false") boolean synchronous) {
        return scale(model, version, minWorker, maxWorker, synchronous);
    }

    private Response scale(String model, String version, int minWorker, Integer maxWorker, boolean synchronous) {
        int workers = Math.max(minWorker, maxWorker == null ? minWorker : maxWorker);
        if (minWorker < 0 || workers < minWorker) {
            throw new ApiError.BadRequestException("min_worker must be 0 or more and not above max_worker");
        }
        ModelVersion v = registry.version(model, version);
        if (workers == 0) {
            lifecycle.unload(model, version, actor());
        } else {
            lifecycle.changeSettings(model, version, null, null, null, workers, null, actor());
            if (engine.loaded(model, version).isEmpty()) {
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
        String v = registry.requireModel(model).defaultVersion()
                .orElseThrow(() -> new ModelNotFoundException("Model not found: " + model));
        return unregister(model, v);
    }

    @DELETE
    @Path("{model}/{version}")
    public String unregister(@PathParam("model") String model, @PathParam("version") String version) {
        lifecycle.delete(model, version, true, actor());
        return status("Model \"" + model + "\" unregistered");
    }

    private JsonObject describe(ModelVersion v) {
        String name = v.model().name();
        var here = engine.loaded(name, v.version());
        var batching = here.map(s -> s.batcher().settings()).orElseGet(() -> engine.batchingFor(v.descriptor(lifecycle.artifacts().root())));
        int workers = here.isPresent() ? batching.workers() : 0;
        JsonArrayBuilder workerList = Json.createArrayBuilder();
        for (int i = 0; i < workers; i++) {
            workerList.add(Json.createObjectBuilder().add("id", Integer.toString(9000 + i))
                    .add("startTime", v.updatedAt().orElse(v.createdAt()).toString())
                    .add("status", "READY").add("gpu", !engine.deviceName().startsWith("cpu"))
                    .add("memoryUsage", org.bytedeco.javacpp.Pointer.physicalBytes()));
        }
        var described = Json.createObjectBuilder().add("modelName", name).add("modelVersion", v.version())
                .add("modelUrl", v.artifactPath()).add("engine", "Torch").add("runtime", "libtorch")
                .add("minWorkers", workers).add("maxWorkers", workers)
                .add("batchSize", batching.maxBatchSize()).add("maxBatchDelay", batching.maxBatchDelayMs())
                .add("loadedAtStartup", v.wantedLoaded())
                .add("workers", workerList);
        // Seraphim's own field: the version's share of unversioned requests under the model's traffic policy (docs/rollouts.md)
        engine.gate().traffic(name).ifPresent(p -> described.add("trafficPercent", p.weights().stream()
                .filter(w -> w.version().equals(v.version())).mapToInt(dev.seraphim.traffic.TrafficPolicy.Share::percent).sum()));
        return described.build();
    }

    /** The key that called, as every other management API records it. */
    private String actor() {
        return security != null && security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }

    static String status(String text) {
        return Json.createObjectBuilder().add("status", text).build().toString();
    }
}
