package dev.seraphim.api.oip;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.inference.status.ServingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The Open Inference Protocol's server endpoints: metadata, liveness, readiness. */
@ErrorShape(ErrorStyle.OIP)
@Path("v2")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class OipServerResource {
    @Inject
    ServingStatus engine;

    @GET
    public Response serverMetadata() {
        return Response.ok(Json.createObjectBuilder().add("name", "seraphim").add("version", ServerVersion.SERVER)
                .add("extensions", Json.createArrayBuilder().add("binary_tensor_data")).build().toString()).build();
    }

    @GET
    @Path("health/live")
    public Response live() {
        return Response.ok().build();
    }

    /** Ready when every model of the store is loaded; the protocol answers false with a 4xx and no body. */
    @GET
    @Path("health/ready")
    public Response ready() {
        return engine.allReady() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }
}
