package dev.seraphim.api.traffic;

import dev.seraphim.api.codec.JsonObjects;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.inference.engine.InferenceGate;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.RegisteredModel;
import dev.seraphim.traffic.TrafficPolicy;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.util.Map;

/**
 * A model's traffic policy (docs/rollouts.md): {@code PUT} the weighted split of its unversioned requests over its
 * loaded versions and what keeps a user on one, {@code GET} it with each version's live share on this server over the
 * last minutes, {@code DELETE} it (every request to the default again).
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/models/{name}/traffic")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TrafficResource {
    @Inject
    ModelLifecycle lifecycle;

    @Inject
    ModelRegistry registry;

    @Inject
    InferenceGate gate;

    @Inject
    dev.seraphim.platform.ServerIdentity server;

    @Context
    SecurityContext security;

    @GET
    public String get(@PathParam("name") String name) {
        return view(registry.requireModel(name)).toString();
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public String put(@PathParam("name") String name, String body) {
        return view(lifecycle.setTraffic(name, JsonObjects.requestBody(body), actor())).toString();
    }

    @DELETE
    public String delete(@PathParam("name") String name) {
        return view(lifecycle.clearTraffic(name, actor())).toString();
    }

    private JsonObject view(RegisteredModel m) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("model", m.name())
                .add("default_version", m.defaultVersion().<JsonValue>map(Json::createValue).orElse(JsonValue.NULL));
        TrafficPolicy policy = m.traffic().map(json -> TrafficPolicy.stored(json, m.defaultVersion())).orElse(null);
        if (policy == null) {
            b.add("weights", JsonValue.NULL).add("sticky", JsonValue.NULL).add("shadow", JsonValue.NULL);
        } else {
            JsonObject p = policy.toJson();
            b.add("weights", p.get("weights")).add("sticky", p.get("sticky")).add("shadow", p.get("shadow"));
        }
        JsonObjectBuilder shadows = Json.createObjectBuilder();
        gate.shadowFigures(m.name()).forEach((v, figures) -> {
            JsonObjectBuilder f = Json.createObjectBuilder();
            figures.forEach((k, n) -> f.add(k, n instanceof Long count ? Json.createValue(count)
                    : Double.isNaN(n.doubleValue()) ? JsonValue.NULL : Json.createValue(n.doubleValue())));
            shadows.add(v, f);
        });
        b.add("shadow_figures", shadows);
        Map<String, Long> live = gate.liveShares(m.name());
        long total = live.values().stream().mapToLong(Long::longValue).sum();
        JsonObjectBuilder requests = Json.createObjectBuilder();
        JsonObjectBuilder share = Json.createObjectBuilder();
        live.forEach((v, n) -> {
            requests.add(v, n);
            share.add(v, total == 0 ? 0 : (double) n / total);
        });
        return b.add("live", Json.createObjectBuilder().add("minutes", dev.seraphim.traffic.TrafficShares.MINUTES)
                .add("server", server.name()).add("requests", requests).add("share", share)).build();
    }

    private String actor() {
        return security != null && security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }
}
