package dev.seraphim.api.grpc;

import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelStreamInferResponse;
import dev.seraphim.security.Caller;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ModelStreamInfer call (Triton's streaming): each request is answered as it completes, a failed one with its
 * {@code error_message} while the stream goes on. At most {@link #WINDOW} requests of a stream are in the engine at
 * once: more are read from the client only as answers leave (gRPC flow control), so a fast sender fills no queue.
 * When the client cancels or the stream's deadline passes, its requests still queued are dropped before their
 * forward.
 */
final class InferenceStream implements StreamObserver<ModelInferRequest> {
    static final int WINDOW = 32;

    private final InferenceRpcs rpcs;
    private final GrpcCallers callers;
    private final ServerCallStreamObserver<ModelStreamInferResponse> out;
    private final Context call = Context.current();
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private int inFlight;
    /** requests not yet asked for because the client was not reading its answers */
    private int owed;
    private boolean halfClosed;
    private boolean ended;

    InferenceStream(InferenceRpcs rpcs, GrpcCallers callers, ServerCallStreamObserver<ModelStreamInferResponse> out) {
        this.rpcs = rpcs;
        this.callers = callers;
        this.out = out;
        out.disableAutoRequest();
        out.setOnCancelHandler(this::dropAll);
        // a client that stops reading its answers is sent no more work: requests are asked for again once it reads
        out.setOnReadyHandler(this::askOwed);
        out.request(WINDOW);
    }

    @Override
    public void onNext(ModelInferRequest request) {
        synchronized (lock) {
            inFlight++;
        }
        Optional<Caller> caller = Optional.ofNullable(GrpcCallers.CALLER.get(call));
        Optional<String> limited = caller.flatMap(callers::takeStreamToken);
        if (limited.isPresent()) {
            send(ModelStreamInferResponse.newBuilder().setErrorMessage(limited.get()).build());
            return;
        }
        InferenceRpcs.Running r = rpcs.infer(request, call);
        if (r.inference() != null) {
            running.add(r.inference());
        }
        r.answer().whenComplete((response, failure) -> {
            if (r.inference() != null) {
                running.remove(r.inference());
            }
            ModelStreamInferResponse.Builder b = ModelStreamInferResponse.newBuilder();
            if (failure == null) {
                b.setInferResponse(response);
            } else {
                Status s = GrpcFailures.of(failure, GrpcCallers.ORIGIN.get(call).requestId()).getStatus();
                b.setErrorMessage(s.getCode() + ": " + s.getDescription());
                if (!request.getId().isEmpty()) {
                    b.setInferResponse(dev.seraphim.api.grpc.v2.ModelInferResponse.newBuilder().setId(request.getId())
                            .setModelName(request.getModelName()).setModelVersion(request.getModelVersion()));
                }
            }
            send(b.build());
        });
    }

    /** One answer out (the observer is not thread-safe: answers complete on several workers), then one more request in. */
    private void send(ModelStreamInferResponse response) {
        synchronized (lock) {
            inFlight--;
            if (ended) {
                return;
            }
            if (!out.isCancelled()) {
                out.onNext(response);
                if (out.isReady()) {
                    out.request(1);
                } else {
                    owed++;
                }
            }
            if (halfClosed && inFlight == 0) {
                ended = true;
                out.onCompleted();
            }
        }
    }

    private void askOwed() {
        synchronized (lock) {
            while (owed > 0 && !ended && out.isReady()) {
                owed--;
                out.request(1);
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        dropAll();
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            halfClosed = true;
            if (inFlight == 0 && !ended) {
                ended = true;
                out.onCompleted();
            }
        }
    }

    private void dropAll() {
        synchronized (lock) {
            ended = true;
        }
        running.forEach(f -> f.cancel(false));
    }
}
