package dev.seraphim.api.drift;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.PageLimit;
import dev.seraphim.drift.DriftReport;
import dev.seraphim.drift.DriftStore;
import dev.seraphim.inference.model.ModelDescriptors;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Drift reports of the drift-check job: the latest per model version, and one model's history. */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/drift")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class DriftResource {
    @Inject
    DriftStore store;

    @GET
    public JsonObject latest() throws SQLException {
        return Json.createObjectBuilder().add("reports", array(store.latest(Optional.empty()))).build();
    }

    @GET
    @Path("{model}")
    public JsonObject model(@PathParam("model") String model, @QueryParam("limit") String limit) throws SQLException {
        if (!ModelDescriptors.MODEL_NAME.matcher(model).matches()) {
            throw new ApiError.BadRequestException("a model name must match " + ModelDescriptors.MODEL_NAME.pattern());
        }
        List<DriftReport> history = store.history(model, PageLimit.parse(limit));
        if (history.isEmpty()) {
            throw new ApiError.NotFoundException("no drift report for model '" + model + "': drift-check reports models with"
                    + " a reference window and enough rows in the latest window");
        }
        return Json.createObjectBuilder().add("model", model).add("latest", array(store.latest(Optional.of(model))))
                .add("history", array(history)).build();
    }

    private static JsonArrayBuilder array(List<DriftReport> reports) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        reports.forEach(r -> a.add(view(r)));
        return a;
    }

    private static JsonObjectBuilder view(DriftReport r) {
        JsonObjectBuilder features = Json.createObjectBuilder();
        r.featurePsi().forEach(features::add);
        JsonObjectBuilder o = Json.createObjectBuilder().add("id", r.id()).add("checked_at", r.checkedAt().toString())
                .add("model", r.model()).add("version", r.version()).add("window_start", r.windowStart().toString())
                .add("window_end", r.windowEnd().toString()).add("window_rows", r.windowRows())
                .add("reference_rows", r.referenceRows()).add("max_psi", r.maxPsi()).add("threshold", r.threshold())
                .add("drifted", r.drifted()).add("psi", features);
        if (r.executionId() != null) {
            o.add("execution_id", r.executionId());
        }
        if (r.retrainExecutionId() != null) {
            o.add("retrain_execution_id", r.retrainExecutionId());
        }
        return o;
    }
}
