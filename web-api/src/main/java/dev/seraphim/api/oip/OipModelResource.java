package dev.seraphim.api.oip;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.model.ModelDescriptor;
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

    @Inject
    ModelAccess access;

    @GET
    public Response modelMetadata(@PathParam("model") String model) {
        return metadata(model, Optional.empty());
    }

    @GET
    @Path("versions/{version}")
    public Response versionMetadata(@PathParam("model") String model, @PathParam("version") String version) {
        return metadata(model, Optional.of(version));
    }

    @GET
    @Path("ready")
    public Response modelReady(@PathParam("model") String model) {
        return readiness(model, Optional.empty());
    }

    @GET
    @Path("versions/{version}/ready")
    public Response versionReady(@PathParam("model") String model, @PathParam("version") String version) {
        return readiness(model, Optional.of(version));
    }

    /** A registered version's metadata whether or not it is loaded here: its signature is the registry's. */
    private Response metadata(String model, Optional<String> version) {
        ModelDescriptor d = access.describe(model, version);
        JsonArrayBuilder versions = Json.createArrayBuilder();
        access.loadedVersions(model).forEach(versions::add);
        return Response.ok(Json.createObjectBuilder().add("name", model).add("versions", versions).add("platform", ServerVersion.PLATFORM)
                .add("inputs", ModelDescriptors.specsJson(d.inputs()))
                .add("outputs", ModelDescriptors.specsJson(d.outputs()))
                .build().toString()).build();
    }

    /**
     * The specification's boolean: 200 for ready, a 4xx with no body for not ready (registered, not loaded here);
     * an unknown model is an error (404 with a body), as is a server that is not ready itself (503).
     */
    private Response readiness(String model, Optional<String> version) {
        try {
            return access.resolve(model, version).ready() ? Response.ok().build() : Response.status(Response.Status.BAD_REQUEST).build();
        } catch (ModelNotReadyException notLoaded) {
            if (version.isPresent() && access.registered(model, version).isEmpty()) {
                throw new dev.seraphim.inference.ModelNotFoundException("model '" + model + "' has no version '" + version.get() + "'");
            }
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
    }
}
