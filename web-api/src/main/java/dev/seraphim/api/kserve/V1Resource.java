package dev.seraphim.api.kserve;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.InferenceEndpoint;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.inference.engine.ModelTarget;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * KServe's V1 protocol: {@code GET /v1/models} (the list), {@code GET /v1/models/{m}} (its readiness) and {@code POST /v1/models/{m}:predict}
 * ({@link V1Inference}), through the one endpoint template; errors as {@code {"error": "..."}}.
 */
@ErrorShape(ErrorStyle.OIP)
@Path("v1/models")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class V1Resource {
    @Inject
    InferenceEndpoint endpoint;

    @Inject
    ModelAccess access;

    @Inject
    ApiLimits limits;

    private V1Inference style;

    @PostConstruct
    void init() {
        style = new V1Inference(limits.tensors());
    }

    /** KServe V1's list: the models served here that this caller may use. */
    @GET
    public String models() {
        jakarta.json.JsonArrayBuilder names = Json.createArrayBuilder();
        access.servedModels().forEach(names::add);
        return Json.createObjectBuilder().add("models", names).build().toString();
    }

    @GET
    @Path("{model}")
    public String status(@PathParam("model") String model) {
        ModelTarget target = access.resolve(model, Optional.empty());
        return Json.createObjectBuilder().add("name", target.name()).add("ready", target.ready()).build().toString();
    }

    @Inject
    dev.seraphim.registry.ModelLifecycle lifecycle;

    @Inject
    dev.seraphim.registry.ModelRegistry registry;

    @Context
    jakarta.ws.rs.core.SecurityContext security;

    /**
     * The runbooks' {@code POST /v1/models/{m}/load}: loads a version ({@code ?version=}, else the default, else the
     * newest) on every replica. Not KServe's; the path is free and the meaning plain. Admin keys only (an operator
     * uses {@code /api/v1/models/{m}/versions/{v}/load}).
     */
    @POST
    @Path("{model}/load")
    public String load(@PathParam("model") String model, @jakarta.ws.rs.QueryParam("version") String version) {
        String v = adminVersion(model, version);
        return Json.createObjectBuilder().add("name", model).add("version", v)
                .add("state", lifecycle.load(model, v, actor()).state().name()).build().toString();
    }

    /** The runbooks' {@code POST /v1/models/{m}/unload}, as {@link #load}. */
    @POST
    @Path("{model}/unload")
    public String unload(@PathParam("model") String model, @jakarta.ws.rs.QueryParam("version") String version) {
        String v = adminVersion(model, version);
        return Json.createObjectBuilder().add("name", model).add("version", v)
                .add("state", lifecycle.unload(model, v, actor()).state().name()).build().toString();
    }

    private String adminVersion(String model, String version) {
        if (!security.isUserInRole("admin")) {
            throw new dev.seraphim.api.errors.ApiError.ForbiddenException("loading and unloading models needs an admin key");
        }
        if (version != null && !version.isEmpty()) {
            return registry.version(model, version).version();
        }
        var m = registry.requireModel(model);
        return m.defaultVersion().orElseGet(() -> registry.versions(model).stream().reduce((a, b) -> b)
                .orElseThrow(() -> new dev.seraphim.inference.ModelNotFoundException("model '" + model + "' has no version")).version());
    }

    private String actor() {
        return security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }

    @POST
    @Path("{model}:predict")
    public CompletionStage<Response> predict(@PathParam("model") String model, InputStream body, @Context HttpServletRequest http) {
        return endpoint.serve(http, body, model, Optional.empty(), style);
    }
}
