package dev.seraphim.api.registry;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.model.ModelDescriptors;
import dev.seraphim.api.codec.MultipartStream;
import dev.seraphim.registry.ArtifactStore;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistration;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.ModelVersion;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Our model management API: register, inspect, load, unload, default, rollback, settings, delete, archive. */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/models")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    private static final int MAX_METADATA_BYTES = 1 << 20;
    private static final Pattern AGE = Pattern.compile("(\\d{1,6})([dhm])");

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    ModelRegistry registry;

    @Inject
    ServingStatus engine;

    @Context
    SecurityContext security;

    @Context
    UriInfo uri;

    /**
     * Registration from a multipart body read as it arrives: the file part streams into the store's staging area
     * (no container temporary file survives an interrupted upload), the metadata part may come before or after it.
     */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response register(@HeaderParam("Content-Type") String contentType, InputStream body) throws IOException {
        ArtifactStore.Staged file = null;
        JsonObject metadata = JsonValue.EMPTY_JSON_OBJECT;
        try {
            MultipartStream parts = MultipartStream.open(body, contentType);
            for (MultipartStream.Part part; (part = parts.next()) != null; ) {
                if ("file".equals(part.name())) {
                    if (file != null) {
                        throw new ApiError.BadRequestException("the multipart body has more than one 'file' part");
                    }
                    // staged here, not through the EJB: a malformed body is the caller's error, not a system exception
                    file = lifecycle.artifacts().stage(part.content(), lifecycle.maxUploadBytes());
                } else if ("metadata".equals(part.name())) {
                    metadata = metadata(part.text(MAX_METADATA_BYTES));
                }
            }
            if (file == null) {
                throw new ApiError.BadRequestException("the multipart body needs a 'file' part (a TorchScript .pt or a .mar)");
            }
            ModelVersion v = lifecycle.register(file, ModelRegistration.fromMetadata(metadata, actor()));
            return Response.created(uri.getBaseUriBuilder().path("api/v1/models/{n}/versions/{v}").build(v.model().name(), v.version()))
                    .entity(view(v).toString()).build();
        } finally {
            if (file != null) {
                lifecycle.artifacts().discard(file);  // a no-op once the registration moved it into the store
            }
        }
    }

    private static JsonObject metadata(String text) {
        try {
            return dev.seraphim.api.codec.JsonObjects.read(text);
        } catch (JsonException | dev.seraphim.api.codec.MalformedJsonException e) {
            throw new ApiError.BadRequestException("the 'metadata' part must be a JSON object: " + e.getMessage());
        }
    }

    @GET
    public String list() {
        JsonArrayBuilder models = Json.createArrayBuilder();
        registry.models().forEach(m -> models.add(RegistryViews.model(m, registry.versions(m.name()), engine,
                lifecycle.artifacts().root())));
        return Json.createObjectBuilder().add("models", models).build().toString();
    }

    @GET
    @Path("{name}")
    public String model(@PathParam("name") String name) {
        return RegistryViews.model(registry.requireModel(name), registry.versions(name), engine, lifecycle.artifacts().root()).toString();
    }

    @GET
    @Path("{name}/versions/{version}")
    public String version(@PathParam("name") String name, @PathParam("version") String version) {
        return view(registry.version(name, version)).toString();
    }

    @POST
    @Path("{name}/versions/{version}/load")
    public String load(@PathParam("name") String name, @PathParam("version") String version) {
        return view(lifecycle.load(name, version, actor())).toString();
    }

    @POST
    @Path("{name}/versions/{version}/unload")
    public String unload(@PathParam("name") String name, @PathParam("version") String version) {
        return view(lifecycle.unload(name, version, actor())).toString();
    }

    @PUT
    @Path("{name}/default")
    @Consumes(MediaType.APPLICATION_JSON)
    public String setDefault(@PathParam("name") String name, String body) {
        JsonObject json = object(body);
        if (!(json.get("version") instanceof jakarta.json.JsonString v)) {
            throw new ApiError.BadRequestException("the body must be {\"version\": \"...\"}");
        }
        lifecycle.setDefault(name, v.getString(), actor());
        return model(name);
    }

    @POST
    @Path("{name}/rollback")
    public String rollBack(@PathParam("name") String name) {
        lifecycle.rollBack(name, actor());
        return model(name);
    }

    @PATCH
    @Path("{name}/versions/{version}")
    @Consumes(MediaType.APPLICATION_JSON)
    public String update(@PathParam("name") String name, @PathParam("version") String version, String body) {
        JsonObject json = object(body);
        JsonObject batching = json.get("batching") instanceof JsonObject b ? b : JsonValue.EMPTY_JSON_OBJECT;
        Integer workers = integer(json, "workers");
        Integer threads = intraOpThreads(json);
        ModelVersion v = null;
        if (json.containsKey("handler")) {
            // the handler first: a refused one leaves the settings unchanged too
            v = lifecycle.changeHandler(name, version, json.get("handler"), actor());
        }
        if (!json.containsKey("handler") || !batching.isEmpty() || workers != null || threads != null) {
            v = lifecycle.changeSettings(name, version, integer(batching, "max_batch_size"),
                    integer(batching, "max_batch_delay_ms"), integer(batching, "queue_capacity"),
                    workers != null ? workers : integer(batching, "workers"), threads, actor());
        }
        return view(v).toString();
    }

    @DELETE
    @Path("{name}/versions/{version}")
    public Response delete(@PathParam("name") String name, @PathParam("version") String version,
                           @QueryParam("force") @DefaultValue("false") boolean force) {
        lifecycle.delete(name, version, force, actor());
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/archive")
    public String archive(@PathParam("name") String name, @QueryParam("older_than") @DefaultValue("30d") String olderThan) {
        Matcher m = AGE.matcher(olderThan);
        if (!m.matches()) {
            throw new ApiError.BadRequestException("older_than must be a number and d, h or m, e.g. 30d");
        }
        long n = Long.parseLong(m.group(1));
        Duration age = switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
        JsonArrayBuilder archived = Json.createArrayBuilder();
        lifecycle.archive(name, age, actor()).forEach(archived::add);
        return Json.createObjectBuilder().add("model", name).add("archived", archived).build().toString();
    }

    private JsonObject view(ModelVersion v) {
        return RegistryViews.version(v, engine, lifecycle.artifacts().root());
    }

    private String actor() {
        return security != null && security.getUserPrincipal() != null ? security.getUserPrincipal().getName() : "anonymous";
    }

    private static JsonObject object(String body) {
        return dev.seraphim.api.codec.JsonObjects.requestBody(body);
    }

    /** Absent: unchanged; null: the server's default again; else a count, which must be one. */
    private static Integer intraOpThreads(JsonObject json) {
        if (json.containsKey("intra_op_threads") && json.isNull("intra_op_threads")) {
            return ModelVersion.SERVER_DEFAULT_THREADS;
        }
        Integer threads = integer(json, "intra_op_threads");
        if (threads != null && threads == ModelVersion.SERVER_DEFAULT_THREADS) {
            throw new ApiError.BadRequestException("intra_op_threads must be between 1 and " + ModelDescriptors.MAX_INTRA_OP_THREADS
                    + ", or null for the server's default, not 0");
        }
        return threads;
    }

    private static Integer integer(JsonObject o, String key) {
        if (!o.containsKey(key) || o.isNull(key)) {
            return null;
        }
        if (!(o.get(key) instanceof JsonNumber n) || !n.isIntegral() || n.bigIntegerValue().bitLength() > 31) {
            throw new ApiError.BadRequestException("'" + key + "' must be an integer (32 bits)");
        }
        return n.intValue();
    }
}
