package dev.seraphim.api.security;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.security.AccessAuditTrail;
import dev.seraphim.security.ApiKey;
import dev.seraphim.security.ApiKeys;
import dev.seraphim.security.KeyDirectory;
import dev.seraphim.security.Role;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * API keys (admin only, declared in web.xml): create (the secret is in this one response and nowhere else),
 * list, show, rotate with a grace period, revoke. Also the access audit: GET /api/v1/keys/access-audit.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/keys")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
    private static final long DEFAULT_GRACE_SECONDS = 3600;

    @Inject
    ApiKeys keys;

    @Inject
    KeyDirectory directory;

    @Inject
    AccessAuditTrail accessAudit;

    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(InputStream in) throws java.io.IOException {
        JsonObject body = object(in);
        String name = string(body, "name", true);
        if (!name.matches(NAME)) {
            throw new ApiError.BadRequestException("'name' must match " + NAME);
        }
        Role role;
        try {
            role = Role.parse(string(body, "role", true));
        } catch (IllegalArgumentException e) {
            throw new ApiError.BadRequestException(e.getMessage());
        }
        List<String> models = new ArrayList<>();
        if (body.containsKey("models") && !body.isNull("models")) {
            if (!(body.get("models") instanceof jakarta.json.JsonArray array) || array.size() > 1000) {
                throw new ApiError.BadRequestException("'models' must be an array of model names (at most 1000)");
            }
            for (JsonValue v : array) {
                if (!(v instanceof JsonString s) || !s.getString().matches(NAME)) {
                    throw new ApiError.BadRequestException("each of 'models' must be a model name matching " + NAME);
                }
                models.add(s.getString());
            }
        }
        Instant expires = null;
        String expiresAt = string(body, "expires_at", false);
        if (expiresAt != null) {
            try {
                expires = OffsetDateTime.parse(expiresAt).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new ApiError.BadRequestException("'expires_at' must be an RFC 3339 time such as 2027-01-01T00:00:00Z");
            }
            if (!expires.isAfter(Instant.now())) {
                throw new ApiError.BadRequestException("'expires_at' must be in the future");
            }
        }
        Double rate = number(body, "rate_per_second", 0.001, 1_000_000);
        Double burst = number(body, "burst", 1, 1_000_000);
        ApiKeys.Issued issued = keys.create(name, role, models, expires, rate, burst == null ? null : burst.intValue(), actor());
        directory.changed(issued.key());
        return Response.status(201).header("Location", "/api/v1/keys/" + issued.key().id())
                .entity(view(issued.key()).add("secret", issued.secret()).build().toString()).build();
    }

    @GET
    public String list() {
        JsonArrayBuilder all = Json.createArrayBuilder();
        keys.all().forEach(k -> all.add(view(k)));
        return Json.createObjectBuilder().add("keys", all).build().toString();
    }

    @GET
    @Path("{id}")
    public String show(@PathParam("id") String id) {
        return view(keys.find(id)).build().toString();
    }

    @POST
    @Path("{id}/rotate")
    public String rotate(@PathParam("id") String id, InputStream in) throws java.io.IOException {
        byte[] raw = RequestBody.read(in, -1, 65_536);
        long grace = DEFAULT_GRACE_SECONDS;
        if (raw.length > 0) {
            Double g = number(parse(raw), "grace_seconds", 0, 30L * 24 * 3600);
            grace = g == null ? DEFAULT_GRACE_SECONDS : g.longValue();
        }
        ApiKeys.Issued issued = keys.rotate(id, Duration.ofSeconds(grace));
        directory.changed(issued.key());
        return view(issued.key()).add("secret", issued.secret()).build().toString();
    }

    @DELETE
    @Path("{id}")
    public Response revoke(@PathParam("id") String id) {
        directory.changed(keys.revoke(id, actor()));
        return Response.noContent().build();
    }

    @GET
    @Path("access-audit")
    public String accessAudit(@QueryParam("key") String key, @QueryParam("event") String event,
                              @QueryParam("limit") String limit) throws java.sql.SQLException {
        int n = dev.seraphim.api.PageLimit.parse(limit);
        if (key != null && !key.matches("[a-z0-9]{1,32}")) {
            throw new ApiError.BadRequestException("'key' must be a key id");
        }
        if (event != null && !event.matches("[a-z_]{1,32}")) {
            throw new ApiError.BadRequestException("'event' must be one of authentication_failed, unauthenticated, forbidden, rate_limited, management");
        }
        JsonArrayBuilder events = Json.createArrayBuilder();
        for (var e : accessAudit.latest(key, event, n)) {
            JsonObjectBuilder o = Json.createObjectBuilder().add("at", e.at().toString()).add("request_id", e.requestId())
                    .add("method", e.method()).add("path", e.path()).add("status", e.httpStatus()).add("event", e.event());
            if (e.keyId() != null) {
                o.add("key_id", e.keyId());
            }
            if (e.clientAddress() != null) {
                o.add("client_address", e.clientAddress());
            }
            events.add(o);
        }
        return Json.createObjectBuilder().add("events", events).build().toString();
    }

    private String actor() {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }

    private static JsonObjectBuilder view(ApiKey k) {
        JsonObjectBuilder o = Json.createObjectBuilder().add("id", k.id()).add("name", k.name()).add("role", k.role().roleName());
        JsonArrayBuilder models = Json.createArrayBuilder();
        k.allowedModels().forEach(models::add);
        o.add("models", models);
        o.add("created_at", k.createdAt().toString()).add("created_by", k.createdBy());
        if (k.expiresAt() != null) {
            o.add("expires_at", k.expiresAt().toString());
        }
        if (k.ratePerSecond() != null) {
            o.add("rate_per_second", k.ratePerSecond());
        }
        if (k.burst() != null) {
            o.add("burst", k.burst());
        }
        if (k.previousValidUntil() != null && k.previousValidUntil().isAfter(Instant.now())) {
            o.add("previous_secret_valid_until", k.previousValidUntil().toString());
        }
        o.add("status", k.revokedAt() != null ? "revoked" : k.expiresAt() != null && !k.expiresAt().isAfter(Instant.now()) ? "expired" : "active");
        if (k.revokedAt() != null) {
            o.add("revoked_at", k.revokedAt().toString());
        }
        return o;
    }

    private static JsonObject object(InputStream in) throws java.io.IOException {
        return parse(RequestBody.read(in, -1, 65_536));
    }

    private static JsonObject parse(byte[] raw) {
        try {
            return dev.seraphim.api.codec.JsonObjects.read(raw);
        } catch (RuntimeException e) {
            throw new ApiError.BadRequestException("the body must be a JSON object: " + e.getMessage());
        }
    }

    private static String string(JsonObject body, String key, boolean required) {
        if (!body.containsKey(key) || body.isNull(key)) {
            if (required) {
                throw new ApiError.BadRequestException("'" + key + "' is required");
            }
            return null;
        }
        if (!(body.get(key) instanceof JsonString s) || s.getString().length() > 256) {
            throw new ApiError.BadRequestException("'" + key + "' must be a string of at most 256 characters");
        }
        return s.getString();
    }

    private static Double number(JsonObject body, String key, double min, double max) {
        if (!body.containsKey(key) || body.isNull(key)) {
            return null;
        }
        if (!(body.get(key) instanceof JsonNumber n) || n.doubleValue() < min || n.doubleValue() > max
                || Double.isNaN(n.doubleValue())) {
            throw new ApiError.BadRequestException("'" + key + "' must be a number from " + min + " to " + max);
        }
        return n.doubleValue();
    }
}
