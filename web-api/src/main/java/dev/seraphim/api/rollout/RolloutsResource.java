package dev.seraphim.api.rollout;

import dev.seraphim.api.codec.JsonObjects;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.rollout.Rollout;
import dev.seraphim.rollout.Rollouts;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/**
 * A model's rollouts (docs/rollouts.md): {@code POST} starts one, {@code GET} lists them or shows one with its history,
 * {@code POST …/{id}/pause|resume|promote|abort} steers it by hand.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/models/{name}/rollouts")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class RolloutsResource {
    @Inject
    Rollouts rollouts;

    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@PathParam("name") String name, String body) {
        return Response.status(Response.Status.CREATED).entity(view(rollouts.start(name, JsonObjects.requestBody(body), actor())).toString()).build();
    }

    @GET
    public String list(@PathParam("name") String name) {
        JsonArrayBuilder all = Json.createArrayBuilder();
        rollouts.of(name).forEach(r -> all.add(view(r)));
        return all.build().toString();
    }

    @GET
    @Path("{id}")
    public String get(@PathParam("name") String name, @PathParam("id") String id) {
        return view(rollouts.find(name, id(id))).toString();
    }

    @POST
    @Path("{id}/{action}")
    public String act(@PathParam("name") String name, @PathParam("id") String id, @PathParam("action") String action) {
        return view(rollouts.act(name, id(id), action, actor())).toString();
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiError.BadRequestException("a rollout id is a number, not '" + id.replaceAll("[^A-Za-z0-9-]", "?") + "'");
        }
    }

    static JsonObject view(Rollout r) {
        JsonArrayBuilder steps = Json.createArrayBuilder();
        r.steps().forEach(steps::add);
        return Json.createObjectBuilder().add("id", r.id()).add("model", r.model()).add("baseline", r.baseline()).add("candidate", r.candidate())
                .add("state", r.state().name()).add("steps", steps).add("step_seconds", r.stepSeconds()).add("guard", r.guard().toJson()).add("step", r.stepIndex())
                .add("percent", r.percent()).add("step_started_at", r.stepStartedAt().toString())
                .add("reason", r.reason() == null ? JsonValue.NULL : Json.createValue(r.reason()))
                .add("created_by", r.createdBy()).add("created_at", r.createdAt().toString()).add("history", r.history()).build();
    }

    private String actor() {
        return security != null && security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }
}
