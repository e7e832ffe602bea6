package dev.seraphim.api.audit;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.audit.AuditPage;
import dev.seraphim.audit.AuditQuery;
import dev.seraphim.audit.PredictionAuditSearch;
import dev.seraphim.audit.PredictionAuditTrail;
import dev.seraphim.audit.PredictionRecord;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The prediction audit trail read back: {@code GET /api/v1/audit?model=&version=&outcome=&request_id=&from=&to=&limit=&cursor=},
 * newest first, {@code limit} records a page (default 100, at most 1000); {@code next_cursor} (and a Link
 * header with rel="next") gives the following page. {@code from} is inclusive, {@code to} exclusive, both
 * RFC 3339 instants. Records still waiting in the write buffer are not yet visible; {@code pending} says how many.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/audit")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class PredictionAuditResource {
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

    @Inject
    PredictionAuditSearch search;

    @Inject
    PredictionAuditTrail trail;

    @Context
    UriInfo uri;

    @GET
    public Response read(@QueryParam("model") String model, @QueryParam("version") String version,
                         @QueryParam("outcome") String outcome, @QueryParam("request_id") String requestId,
                         @QueryParam("from") String from, @QueryParam("to") String to,
                         @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) throws SQLException {
        AuditQuery query = new AuditQuery(name("model", model), name("version", version), outcome(outcome),
                token("request_id", requestId), instant("from", from), instant("to", to), dev.seraphim.api.PageLimit.parse(limit), cursor(cursor));
        AuditPage page = search.find(query);
        JsonArrayBuilder records = Json.createArrayBuilder();
        page.records().forEach(r -> records.add(json(r)));
        JsonObjectBuilder body = Json.createObjectBuilder().add("records", records).add("limit", query.limit())
                .add("pending", trail.pending());
        Response.ResponseBuilder response = Response.ok();
        if (page.next().isPresent()) {
            String token = page.next().get().token();
            body.add("next_cursor", token);
            response.link(uri.getRequestUriBuilder().replaceQueryParam("cursor", token).build(), "next");
        } else {
            body.addNull("next_cursor");
        }
        return response.entity(body.build().toString()).build();
    }

    private static JsonObjectBuilder json(AuditPage.StoredPrediction stored) {
        PredictionRecord r = stored.record();
        JsonObjectBuilder o = Json.createObjectBuilder().add("id", stored.id()).add("received_at", r.receivedAt().toString())
                .add("request_id", r.requestId()).add("api", r.api()).add("model", r.model());
        addNullable(o, "version", r.version());
        addNullable(o, "key_hash", r.keyHash());
        addNullable(o, "client_address", r.clientAddress());
        o.add("outcome", r.outcome()).add("status", r.httpStatus()).add("latency_us", r.latencyMicros());
        if (r.queueMicros() != null) {
            o.add("queue_us", r.queueMicros());
        }
        if (r.computeMicros() != null) {
            o.add("compute_us", r.computeMicros());
        }
        if (r.batchRows() != null) {
            o.add("batch_rows", r.batchRows());
        }
        addNullable(o, "input_sha256", r.inputSha256());
        addNullable(o, "output_sha256", r.outputSha256());
        addNullable(o, "input_sample", r.inputSample());
        addNullable(o, "output_sample", r.outputSample());
        return o.add("server", r.serverName());
    }

    private static void addNullable(JsonObjectBuilder o, String key, String value) {
        if (value != null) {
            o.add(key, value);
        }
    }

    private static Optional<String> name(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.matches(NAME)) {
            throw new ApiError.BadRequestException("'" + parameter + "' must match " + NAME);
        }
        return Optional.of(value);
    }

    private static Optional<String> token(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new ApiError.BadRequestException("'" + parameter + "' must be 1 to 128 of A-Z a-z 0-9 . _ : -");
        }
        return Optional.of(value);
    }

    private static Optional<String> outcome(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.matches("success|client_error|server_error|rejected|timeout")) {
            throw new ApiError.BadRequestException("'outcome' must be one of success, client_error, server_error, rejected, timeout");
        }
        return Optional.of(value);
    }

    private static Optional<Instant> instant(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            throw new ApiError.BadRequestException("'" + parameter + "' must be an RFC 3339 time such as 2026-11-23T02:00:00Z");
        }
    }

    private static Optional<AuditQuery.Cursor> cursor(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(AuditQuery.Cursor.parse(value).orElseThrow(() ->
                new ApiError.BadRequestException("'cursor' must be a next_cursor value returned by this API")));
    }
}
