package dev.seraphim.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.seraphim.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gRPC closed loop: {@code concurrency} clients spread over the given channels (HTTP/2 connections), each
 * sending its next ModelInfer as soon as its last one answered; answers handled on the transport's threads, so the
 * client takes little of the two cores. Counted as {@link ClosedLoop} counts: requests that complete inside the
 * measured time, latencies send to answer.
 */
final class GrpcLoop {
    private GrpcLoop() {
    }

    static ClosedLoop.Result run(java.util.List<ManagedChannel> channels, String authorization, ModelInferRequest request, int concurrency,
                                 double warmupSeconds, double seconds, ServerCpu cpu) throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        var stubs = channels.stream().map(channel -> GRPCInferenceServiceGrpc.newFutureStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))).toList();
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long end = warmEnd + (long) (seconds * 1e9);
        long[][] latencies = new long[concurrency][4096];
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        Map<Integer, Long> statuses = new TreeMap<>();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int c = 0; c < concurrency; c++) {
            int id = c;
            var stub = stubs.get(c % stubs.size());
            new Object() {
                void next() {
                    long start = System.nanoTime();
                    if (start >= end) {
                        done.countDown();
                        return;
                    }
                    Futures.addCallback(stub.modelInfer(request), new FutureCallback<ModelInferResponse>() {
                        @Override
                        public void onSuccess(ModelInferResponse r) {
                            record(start, r.getOutputsCount() > 0 ? 0 : -2);
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            // a failure may come back on this very thread: the next request goes from another
                            java.util.concurrent.ForkJoinPool.commonPool().execute(() -> record(start, Status.fromThrowable(t).getCode().value()));
                        }
                    }, MoreExecutors.directExecutor());
                }

                void record(long start, int status) {
                    long now = System.nanoTime();
                    if (now >= warmEnd && now <= end) {
                        if (status != 0) {
                            errors.incrementAndGet();
                            synchronized (statuses) {
                                statuses.merge(status, 1L, Long::sum);
                            }
                        } else {
                            if (counts[id] == latencies[id].length) {
                                latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                            }
                            latencies[id][counts[id]++] = now - start;
                        }
                    }
                    next();
                }
            }.next();
        }
        long wait = warmEnd - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        double cpuAtWarmEnd = cpu.seconds();
        long measure = end - System.nanoTime();
        if (measure > 0) {
            TimeUnit.NANOSECONDS.sleep(measure);
        }
        double serverCpu = cpu.seconds() - cpuAtWarmEnd;
        done.await(120, TimeUnit.SECONDS);
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < concurrency; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        return new ClosedLoop.Result(concurrency, seconds, total, errors.get(), total / seconds, LatencyStats.of(all, total),
                statuses, serverCpu);
    }
}
