package dev.seraphim.api.predict;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.concurrent.CompletionStage;

/** The runbooks' {@code POST /v1/predict}: the same body and answer as {@code POST /api/v1/predict}. */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("v1/predict")
@ApplicationScoped
public class V1PredictResource {
    @Inject
    PredictResource predict;

    @POST
    @Produces({MediaType.APPLICATION_JSON, ErrorStyle.PROBLEM_MEDIA_TYPE})
    public CompletionStage<Response> predict(InputStream in, @Context HttpServletRequest http) {
        return predict.predict(in, http);
    }
}
