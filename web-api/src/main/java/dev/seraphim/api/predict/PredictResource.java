package dev.seraphim.api.predict;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.InferenceEndpoint;
import jakarta.annotation.PostConstruct;
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
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@code POST /api/v1/predict}: the body names the model ({@link PredictInference}). */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/predict")
@ApplicationScoped
public class PredictResource {
    @Inject
    InferenceEndpoint endpoint;

    @Inject
    ApiLimits limits;

    @Inject
    ImageUrls imageUrls;

    private PredictInference style;

    @PostConstruct
    void init() {
        style = new PredictInference(limits.tensors(), imageUrls::fetch);
    }

    @POST
    @Produces({MediaType.APPLICATION_JSON, ErrorStyle.PROBLEM_MEDIA_TYPE})
    public CompletionStage<Response> predict(InputStream in, @Context HttpServletRequest http) {
        return endpoint.serve(http, in, null, Optional.empty(), style);
    }
}
