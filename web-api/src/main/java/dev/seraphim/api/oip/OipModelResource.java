package dev.seraphim.api.oip;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.inference.engine.ModelTarget;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Optional;

/** The Open Inference Protocol's model endpoints: metadata and readiness, of the default or a named version. */
@ErrorShape(ErrorStyle.OIP)
@Path("v2/models/{model}")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class OipModelResource {
    static final String PLATFORM = "pytorch_torchscript";

    @Inject
    ModelAccess access;

    @GET
    public Response modelMetadata(@PathParam("model") String model) {
        return metadata(access.resolve(model, Optional.empty()));
    }

    @GET
    @Path("versions/{version}")
    public Response versionMetadata(@PathParam("model") String model, @PathParam("version") String version) {
        return metadata(access.resolve(model, Optional.of(version)));
    }

    @GET
    @Path("ready")
    public Response modelReady(@PathParam("model") String model) {
        return readiness(access.resolve(model, Optional.empty()));
    }

    @GET
    @Path("versions/{version}/ready")
    public Response versionReady(@PathParam("model") String model, @PathParam("version") String version) {
        return readiness(access.resolve(model, Optional.of(version)));
    }

    private Response metadata(ModelTarget target) {
        JsonArrayBuilder versions = Json.createArrayBuilder();
        access.loadedVersions(target.name()).forEach(versions::add);
        return Response.ok(Json.createObjectBuilder().add("name", target.name()).add("versions", versions).add("platform", PLATFORM)
                .add("inputs", ModelDescriptors.specsJson(target.descriptor().inputs()))
                .add("outputs", ModelDescriptors.specsJson(target.descriptor().outputs()))
                .build().toString()).build();
    }

    private static Response readiness(ModelTarget target) {
        return target.ready() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
    }
}
