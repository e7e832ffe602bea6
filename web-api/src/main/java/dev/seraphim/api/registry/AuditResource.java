package dev.seraphim.api.registry;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.registry.ModelRegistry;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The audit of management actions (registrations, loads, default changes…), newest first. */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/audit/management")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    @Inject
    ModelRegistry registry;

    @GET
    public String trail(@QueryParam("model") String model, @QueryParam("limit") @DefaultValue("100") int limit) {
        JsonArrayBuilder events = Json.createArrayBuilder();
        registry.auditTrail(model, Math.max(1, Math.min(limit, 1000))).forEach(a -> events.add(RegistryViews.audit(a)));
        return Json.createObjectBuilder().add("events", events).build().toString();
    }
}
