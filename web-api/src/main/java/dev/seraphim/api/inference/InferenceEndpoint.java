package dev.seraphim.api.inference;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.RequestOrigin;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.metrics.RequestMetrics;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.engine.ModelTarget;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One inference over HTTP, the same for every API style: read the body, resolve the model once, decode (the
 * style's), infer through the boundary, encode (the style's), record metrics, audit and the access line; any
 * failure rendered in the style's error shape and recorded the same way.
 */
@ApplicationScoped
public class InferenceEndpoint {
    @Inject
    ModelAccess access;

    @Inject
    RequestMetrics metrics;

    @Inject
    ApiLimits limits;

    /** {@code model} null: the body names it (the style's {@link InferenceStyle#model}). */
    public <P> CompletionStage<Response> serve(HttpServletRequest http, InputStream in, String model, Optional<String> version,
                                               InferenceStyle<P> style) {
        long start = System.nanoTime();
        // everything read from the request first, and the request itself a resource method's parameter: through an
        // @Context field of an application-scoped resource RESTEasy hands a thread-bound proxy, which in the route
        // sweeps of SecurityIT and the fuzzers reached another object (ClassCastException, 500s)
        String uri = http.getRequestURI();
        long length = http.getContentLengthLong();
        Map<String, String> headers = style.headers().isEmpty() ? Map.of() : new HashMap<>();
        for (String name : style.headers()) {
            String value = http.getHeader(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        RequestOrigin origin = RequestIds.origin(http);
        String[] named = {model, version.orElse(null)};
        try {
            byte[] body = RequestBody.read(in, length, limits.maxBodyBytes());
            P parsed = null;
            ModelRef ref;
            if (model == null) {
                parsed = style.parse(body, headers);
                ref = style.model(parsed);
                named[0] = ref.name();
                named[1] = ref.version().orElse(null);
            } else {
                ref = ModelRef.of(model, version);
            }
            ModelTarget target = access.resolve(ref, http::getHeader);
            named[1] = target.version();  // the version chosen (a traffic split's too) is the one a failure is recorded against
            P request = parsed != null ? parsed : style.parse(body, headers);
            InferenceStyle.Decoded decoded = style.decode(request, target.descriptor());
            byte[] audited = metrics.bodyForAudit(ref.name(), body);
            CompletableFuture<dev.seraphim.inference.InferenceResult> ran = access.infer(target, decoded.inputs(), decoded.requestedOutputs());
            java.util.function.Function<dev.seraphim.inference.InferenceResult, Recorded> answer = result -> {
                Answer a = style.encode(result, request, target.descriptor());
                return new Recorded(a, metrics.record(style.api(), origin, ref.name(), result.version(), "success", 200, result,
                        start, audited, a.body()));
            };
            if (!metrics.auditedSynchronously(ref.name())) {
                // the common path: one stage, the answer written as soon as the batch is done
                return ran.handle((result, failure) -> failure != null ? fail(failure, style, origin, named, uri, start)
                        : answer.apply(result).answer().response(result.version()));
            }
            // a synchronously audited model: the answer leaves only once its record is stored
            return ran.<CompletionStage<Response>>handle((result, failure) -> {
                if (failure != null) {
                    return CompletableFuture.completedFuture(fail(failure, style, origin, named, uri, start));
                }
                Recorded r = answer.apply(result);
                return r.stored().handle((stored, refused) -> refused == null ? r.answer().response(result.version())
                        : fail(refused, style, origin, named, uri, start));
            }).thenCompose(Function.identity());
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(fail(e, style, origin, named, uri, start));
        }
    }

    /** An answer and its record: stored at once, or (a synchronously audited model) once the stage completes. */
    private record Recorded(Answer answer, CompletionStage<Void> stored) {
    }

    private Response fail(Throwable failure, InferenceStyle<?> style, RequestOrigin origin, String[] named, String uri, long start) {
        ApiError error = ApiError.of(failure);
        metrics.record(style.api(), origin, named[0], named[1], error.outcome(), error.status(), start);
        return style.errors().render(error, uri);
    }
}
