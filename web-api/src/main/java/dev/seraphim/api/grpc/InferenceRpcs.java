package dev.seraphim.api.grpc;

import dev.seraphim.api.RequestOrigin;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelInferResponse;
import dev.seraphim.api.grpc.v2.ModelMetadataRequest;
import dev.seraphim.api.grpc.v2.ModelMetadataResponse;
import dev.seraphim.api.grpc.v2.ModelReadyRequest;
import dev.seraphim.api.grpc.v2.ModelReadyResponse;
import dev.seraphim.api.grpc.v2.ModelStatisticsRequest;
import dev.seraphim.api.grpc.v2.ModelStatisticsResponse;
import dev.seraphim.api.grpc.v2.ModelStreamInferResponse;
import dev.seraphim.api.grpc.v2.RepositoryIndexRequest;
import dev.seraphim.api.grpc.v2.RepositoryIndexResponse;
import dev.seraphim.api.grpc.v2.RepositoryModelLoadRequest;
import dev.seraphim.api.grpc.v2.RepositoryModelLoadResponse;
import dev.seraphim.api.grpc.v2.RepositoryModelUnloadRequest;
import dev.seraphim.api.grpc.v2.RepositoryModelUnloadResponse;
import dev.seraphim.api.grpc.v2.ServerLiveRequest;
import dev.seraphim.api.grpc.v2.ServerLiveResponse;
import dev.seraphim.api.grpc.v2.ServerMetadataRequest;
import dev.seraphim.api.grpc.v2.ServerMetadataResponse;
import dev.seraphim.api.grpc.v2.ServerReadyRequest;
import dev.seraphim.api.grpc.v2.ServerReadyResponse;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.api.metrics.RequestMetrics;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.ModelRef;
import dev.seraphim.inference.engine.InferenceGate;
import dev.seraphim.inference.engine.ModelTarget;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.status.ServingStatus;
import dev.seraphim.inference.tensor.TensorSpec;
import dev.seraphim.security.Caller;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The Open Inference Protocol's GRPCInferenceService, and the Triton RPCs that fit: every inference goes through
 * the same boundary as REST's (one resolve, one signature check, the same dynamic batches), is counted with
 * {@code api="grpc"}, audited and logged as REST's are. A call's deadline or cancellation cancels its request: still
 * queued, it is dropped before its forward.
 */
@Dependent  // not proxied: the generated base class's bindService is final
public class InferenceRpcs extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    static final String API = "grpc";
    private static final long DEADLINE_SLACK_MS = 50;

    @Inject
    InferenceGate gate;

    @Inject
    ServingStatus status;

    @Inject
    ModelAccess access;

    @Inject
    RequestMetrics metrics;

    @Inject
    RepositoryRpcs repository;

    @Inject
    GrpcCallers callers;

    @Inject
    MetricRegistry registry;

    /** A request on its way: the engine's future (cancelled when the call ends early) and the answer built on it. */
    record Running(CompletableFuture<InferenceResult> inference, CompletableFuture<ModelInferResponse> answer) {
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
        out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        out.onNext(ServerReadyResponse.newBuilder().setReady(status.allReady()).build());
        out.onCompleted();
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        out.onNext(ServerMetadataResponse.newBuilder().setName("seraphim").setVersion(dev.seraphim.api.oip.ServerVersion.SERVER)
                .addExtensions("model_repository").addExtensions("statistics").build());
        out.onCompleted();
    }

    /** Ready or not for a registered model (not loaded here: false); an unknown model or version is NOT_FOUND. */
    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        Optional<String> version = optional(request.getVersion());
        answer(out, () -> {
            boolean ready;
            try {
                ready = gate.resolve(ModelRef.of(request.getName(), version), GrpcCallers.caller()).ready();
            } catch (ModelNotReadyException notLoaded) {
                if (access.registered(request.getName(), version, GrpcCallers.caller()).isEmpty()) {
                    throw new dev.seraphim.inference.ModelNotFoundException("model '" + request.getName() + "' has no version '"
                            + version.orElse("") + "'");
                }
                ready = false;
            }
            return ModelReadyResponse.newBuilder().setReady(ready).build();
        });
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        Optional<String> version = optional(request.getVersion());
        answer(out, () -> {
            ModelDescriptor d = access.describe(request.getName(), version, GrpcCallers.caller());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(d.name())
                    .addAllVersions(gate.loadedVersions(d.name())).setPlatform(dev.seraphim.api.oip.ServerVersion.PLATFORM);
            d.inputs().forEach(t -> b.addInputs(tensor(t)));
            d.outputs().forEach(t -> b.addOutputs(tensor(t)));
            return b.build();
        });
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        Context call = Context.current();
        Running running = infer(request, call);
        var server = (io.grpc.stub.ServerCallStreamObserver<ModelInferResponse>) out;
        // the client gone or its deadline passed: a request still queued is dropped before its forward
        server.setOnCancelHandler(() -> {
            if (running.inference() != null) {
                running.inference().cancel(false);
            }
        });
        running.answer().whenComplete((response, failure) -> {
            if (server.isCancelled()) {
                return;
            }
            if (failure == null) {
                out.onNext(response);
                out.onCompleted();
            } else {
                out.onError(GrpcFailures.of(failure, GrpcCallers.origin().requestId()));
            }
        });
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
        return new InferenceStream(this, callers, (io.grpc.stub.ServerCallStreamObserver<ModelStreamInferResponse>) out);
    }

    @Override
    public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
        answer(out, () -> repository.statistics(request, GrpcCallers.caller()));
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        answer(out, () -> repository.index(request));
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
        answer(out, () -> repository.load(request, GrpcCallers.caller().orElseThrow().keyId()));
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
        answer(out, () -> repository.unload(request, GrpcCallers.caller().orElseThrow().keyId()));
    }

    /**
     * One inference through the boundary. The answer completes with the response, or fails with what the call is
     * closed with; either way the request is counted, timed, logged and audited once.
     */
    Running infer(ModelInferRequest request, Context call) {
        Optional<Caller> caller = Optional.ofNullable(GrpcCallers.CALLER.get(call));
        RequestOrigin origin = GrpcCallers.ORIGIN.get(call);
        Metadata headers = GrpcCallers.HEADERS.get(call);
        long start = System.nanoTime();
        String[] named = {request.getModelName(), optional(request.getModelVersion()).orElse(null)};
        CompletableFuture<ModelInferResponse> answer = new CompletableFuture<>();
        try {
            ModelRef ref = ModelRef.of(request.getModelName(), optional(request.getModelVersion()));
            ModelTarget target = gate.resolve(ref, caller, name -> headers == null ? null
                    : headers.get(Metadata.Key.of(name.toLowerCase(java.util.Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER)));
            named[1] = target.version();
            byte[] audited = metrics.auditsPayload(ref.name()) ? request.toByteArray() : null;
            CompletableFuture<InferenceResult> ran = gate.infer(target, GrpcTensors.inputs(request, target.descriptor()),
                    GrpcTensors.requestedOutputs(request, target.descriptor()));
            ran.whenComplete((result, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(failed(failure, call, origin, named, start));
                    return;
                }
                try {
                    ModelInferResponse response = GrpcTensors.response(result, request, target.descriptor());
                    CompletionStage<Void> stored = metrics.record(API, origin, ref.name(), result.version(), "success", 200, result,
                            start, audited, audited == null ? null : response.toByteArray());
                    // a synchronously audited model answers only once its record is stored
                    stored.whenComplete((ok, refused) -> {
                        if (refused == null) {
                            answer.complete(response);
                        } else {
                            answer.completeExceptionally(failed(refused, call, origin, named, start));
                        }
                    });
                } catch (RuntimeException e) {
                    answer.completeExceptionally(failed(e, call, origin, named, start));
                }
            });
            return new Running(ran, answer);
        } catch (RuntimeException e) {
            answer.completeExceptionally(failed(e, call, origin, named, start));
            return new Running(null, answer);
        }
    }

    /** Counts and records a failed request; a cancelled one as the call's deadline or the client's doing. */
    private Throwable failed(Throwable failure, Context call, RequestOrigin origin, String[] named, long start) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CancellationException) {
            // the client's own deadline timer cancels the call a moment before the server's copy of it expires
            boolean deadline = call.getDeadline() != null && call.getDeadline().timeRemaining(TimeUnit.MILLISECONDS) <= DEADLINE_SLACK_MS;
            registry.counter("seraphim_grpc_cancelled", new Tag("reason", deadline ? "deadline" : "cancelled")).inc();
            metrics.record(API, origin, named[0], named[1], deadline ? "timeout" : "cancelled", deadline ? 504 : 499, start);
            return cause;
        }
        ApiError error = ApiError.of(cause);
        metrics.record(API, origin, named[0], named[1], error.outcome(), error.status(), start);
        return cause;
    }

    private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec t) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name())
                .setDatatype(t.dataType().name());
        for (long d : t.shape()) {
            b.addShape(d);
        }
        return b.build();
    }

    private static <R> void answer(StreamObserver<R> out, java.util.function.Supplier<R> rpc) {
        R response;
        try {
            response = rpc.get();
        } catch (RuntimeException e) {
            out.onError(GrpcFailures.of(e, GrpcCallers.origin().requestId()));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    static Optional<String> optional(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
