package dev.seraphim.it;

import com.google.protobuf.ByteString;
import dev.seraphim.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.seraphim.api.grpc.v2.InferTensorContents;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelInferResponse;
import dev.seraphim.api.grpc.v2.ModelMetadataRequest;
import dev.seraphim.api.grpc.v2.ModelReadyRequest;
import dev.seraphim.api.grpc.v2.ModelStatisticsRequest;
import dev.seraphim.api.grpc.v2.ModelStreamInferResponse;
import dev.seraphim.api.grpc.v2.RepositoryIndexRequest;
import dev.seraphim.api.grpc.v2.ServerLiveRequest;
import dev.seraphim.api.grpc.v2.ServerMetadataRequest;
import dev.seraphim.api.grpc.v2.ServerReadyRequest;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Open Inference Protocol over gRPC with a real grpc-java client (stubs generated from the proto the server is
 * built from): every golden case typed and raw, a stream, deadlines and cancellation while queued, the
 * authentication sweep, malformed messages, health and reflection, and gRPC with REST on one model's batches.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GrpcIT {
    private static final List<String> MODELS = List.of("tabular-mlp", "text-classifier", "tiny-cnn");
    private static ManagedChannel channel;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @BeforeAll
    static void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.getInteger("seraphim.it.grpc.port")).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    static CallCredentials bearer(String key) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
                applier.apply(m);
            }
        };
    }

    static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub admin() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(Seraphim.ADMIN_KEY));
    }

    /** A golden case's input as a gRPC request: typed contents, or the same values raw (little-endian). */
    static ModelInferRequest request(Golden.Case c, boolean raw) {
        JsonObject in = c.input();
        String datatype = in.getString("datatype");
        ModelInferRequest.InferInputTensor.Builder t = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(in.getString("name")).setDatatype(datatype);
        for (long d : Golden.shape(in)) {
            t.addShape(d);
        }
        double[] values = Golden.flatten(in.get("data"));
        ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName(c.model()).setId(c.model() + "-" + c.index());
        if (raw) {
            int size = datatype.equals("INT64") ? 8 : 4;
            ByteBuffer b = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : values) {
                if (size == 8) {
                    b.putLong((long) v);
                } else {
                    b.putFloat((float) v);
                }
            }
            r.addInputs(t).addRawInputContents(ByteString.copyFrom(b.array()));
        } else {
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (double v : values) {
                if (datatype.equals("INT64")) {
                    contents.addInt64Contents((long) v);
                } else {
                    contents.addFp32Contents((float) v);
                }
            }
            r.addInputs(t.setContents(contents));
        }
        return r.build();
    }

    static double[] output(ModelInferResponse response) {
        ModelInferResponse.InferOutputTensor out = response.getOutputs(0);
        assertEquals("FP32", out.getDatatype());
        if (response.getRawOutputContentsCount() > 0) {
            ByteBuffer b = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            double[] v = new double[b.remaining() / 4];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getFloat();
            }
            return v;
        }
        return out.getContents().getFp32ContentsList().stream().mapToDouble(Float::doubleValue).toArray();
    }

    @Test
    void everyGoldenCaseTypedAndRaw() throws Exception {
        for (String model : MODELS) {
            Golden golden = Golden.load(model);
            for (Golden.Case c : golden.cases()) {
                for (boolean raw : new boolean[]{false, true}) {
                    ModelInferResponse r = admin().modelInfer(request(c, raw));
                    assertEquals(model, r.getModelName());
                    assertEquals("1", r.getModelVersion());
                    assertEquals(c.model() + "-" + c.index(), r.getId());
                    assertEquals("logits", r.getOutputs(0).getName());
                    assertEquals(raw, r.getRawOutputContentsCount() == 1, "raw answers for raw requests, typed for typed");
                    long[] shape = r.getOutputs(0).getShapeList().stream().mapToLong(Long::longValue).toArray();
                    assertEquals(java.util.Arrays.toString(c.expectedShape()), java.util.Arrays.toString(shape));
                    golden.assertClose(c, output(r), raw ? "gRPC raw" : "gRPC typed");
                }
            }
        }
        String metrics = Seraphim.get("/metrics?scope=application").body();
        assertTrue(ServerSurfaceIT.value(metrics, "seraphim_inference_requests_total", "api=\"grpc\"", "model=\"tabular-mlp\"",
                "outcome=\"success\"") >= 2, "gRPC requests are counted with api=\"grpc\"");
    }

    @Test
    void probesMetadataHealthAndReflection() throws Exception {
        var open = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertTrue(open.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(open.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals("seraphim", admin().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
        assertTrue(admin().modelReady(ModelReadyRequest.newBuilder().setName("tabular-mlp").build()).getReady());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> admin().modelReady(ModelReadyRequest.newBuilder().setName("no-such-model").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode(), unknown.getMessage());
        var meta = admin().modelMetadata(ModelMetadataRequest.newBuilder().setName("tabular-mlp").build());
        assertEquals("features", meta.getInputs(0).getName());
        assertEquals("FP32", meta.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 16L), meta.getInputs(0).getShapeList());
        assertEquals("pytorch_torchscript", meta.getPlatform());
        // the standard health service, as Kubernetes' gRPC probe asks it
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().setService("").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build()).getStatus());
        // reflection lists the service, for grpcurl and other generic clients
        CountDownLatch done = new CountDownLatch(1);
        List<String> services = new ArrayList<>();
        StreamObserver<ServerReflectionRequest> ask = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse r) {
                r.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        ask.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        ask.onCompleted();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(services.contains("inference.GRPCInferenceService"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
        // repository and statistics (Triton's RPCs)
        assertTrue(admin().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build()).getModelsList().stream()
                .anyMatch(m -> m.getName().equals("tabular-mlp") && m.getState().equals("READY")));
        long before = System.currentTimeMillis();
        var rows = Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer", "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\","
                + "\"shape\":[3,16],\"data\":[" + String.join(",", java.util.Collections.nCopies(48, "0.5")) + "]}]}"));
        assertEquals(200, rows.statusCode(), rows.body());
        var stats = admin().modelStatistics(ModelStatisticsRequest.newBuilder().setName("tabular-mlp").build()).getModelStats(0);
        assertEquals("tabular-mlp", stats.getName());
        // batch_stats: the batches this version's batcher ran, by size (execution_count also counts those of versions it
        // replaced); last_inference: that request's batch
        assertTrue(stats.getBatchStatsList().stream().anyMatch(b -> b.getBatchSize() >= 3), stats.toString());
        long batched = stats.getBatchStatsList().stream().mapToLong(b -> b.getComputeInfer().getCount()).sum();
        assertTrue(batched > 0 && batched <= stats.getExecutionCount(), stats.toString());
        assertTrue(stats.getBatchStatsList().stream().allMatch(b -> b.getComputeInfer().getNs() > 0), stats.toString());
        assertTrue(stats.getLastInference() >= before && stats.getLastInference() <= System.currentTimeMillis(),
                "last_inference " + stats.getLastInference() + " is the batch just run (after " + before + ")");
    }

    /** An image as a BYTES element through tiny-cnn's handler, typed and raw, with its labels: the same top label as REST gives. */
    @Test
    void imagesThroughTheModelsHandler() throws Exception {
        byte[] jpeg;
        try (var in = GrpcIT.class.getResourceAsStream("/images/shapes.jpg")) {
            jpeg = in.readAllBytes();
        }
        var rest = Seraphim.send(java.net.http.HttpRequest.newBuilder(Seraphim.uri("/predictions/tiny-cnn"))
                .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).header("Content-Type", "image/jpeg")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(jpeg)).build());
        assertEquals(200, rest.statusCode(), rest.body());
        String top = Seraphim.json(rest.body()).keySet().iterator().next();
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder().setName("image")
                .setDatatype("BYTES").addShape(1);
        ModelInferRequest typed = ModelInferRequest.newBuilder().setModelName("tiny-cnn")
                .addInputs(input.clone().setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(jpeg))))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("labels")).build();
        ModelInferResponse t = admin().modelInfer(typed);
        var labels = t.getOutputsList().stream().filter(o -> o.getName().equals("labels")).findFirst().orElseThrow();
        assertEquals("BYTES", labels.getDatatype());
        assertEquals(top, labels.getContents().getBytesContents(0).toStringUtf8(), "gRPC's top label is REST's");
        ByteBuffer element = ByteBuffer.allocate(4 + jpeg.length).order(ByteOrder.LITTLE_ENDIAN).putInt(jpeg.length).put(jpeg);
        ModelInferRequest raw = typed.toBuilder().setInputs(0, input).addRawInputContents(ByteString.copyFrom(element.array())).build();
        ModelInferResponse r = admin().modelInfer(raw);
        int at = 0;
        for (int i = 0; i < r.getOutputsCount(); i++) {
            if (r.getOutputs(i).getName().equals("labels")) {
                at = i;
            }
        }
        ByteBuffer first = r.getRawOutputContents(at).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] label = new byte[first.getInt()];
        first.get(label);
        assertEquals(top, new String(label, java.nio.charset.StandardCharsets.UTF_8), "raw BYTES answer the same");
        StatusRuntimeException noHandler = assertThrows(StatusRuntimeException.class,
                () -> admin().modelInfer(typed.toBuilder().setModelName("tabular-mlp").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noHandler.getStatus().getCode());
        assertTrue(noHandler.getStatus().getDescription().contains("no handler"), noHandler.getMessage());
    }

    /** The TLS port serves the same RPCs with the HTTPS port's certificate (the server's one keystore). */
    @Test
    void tlsWithTheServersKeystore() throws Exception {
        java.security.cert.Certificate[][] seen = new java.security.cert.Certificate[1][];
        ManagedChannel tls = NettyChannelBuilder.forAddress("127.0.0.1", Integer.getInteger("seraphim.it.grpc.tls.port"))
                .sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
                        .trustManager(io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build())
                .intercept(new io.grpc.ClientInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options,
                                                                          io.grpc.Channel next) {
                        return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                            @Override
                            public void start(Listener<R> listener, Metadata headers) {
                                super.start(new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                    @Override
                                    public void onHeaders(Metadata h) {
                                        try {
                                            seen[0] = getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION).getPeerCertificates();
                                        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                                            throw new AssertionError(e);
                                        }
                                        super.onHeaders(h);
                                    }
                                }, headers);
                            }
                        };
                    }
                }).build();
        try {
            ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(tls).withCallCredentials(bearer(Seraphim.ADMIN_KEY))
                    .modelInfer(request(Golden.load("tabular-mlp").cases().get(0), true));
            assertEquals("tabular-mlp", r.getModelName());
        } finally {
            tls.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket https = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1",
                Integer.getInteger("seraphim.it.https.port"))) {
            https.startHandshake();
            assertEquals(java.util.Arrays.toString(https.getSession().getPeerCertificates()[0].getEncoded()),
                    java.util.Arrays.toString(seen[0][0].getEncoded()), "gRPC over TLS shows the HTTPS port's certificate");
        }
    }

    @Test
    void aStreamOfAThousandRequestsIsAnsweredInFull() throws Exception {
        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(0);
        ModelInferRequest base = request(c, true);
        Map<String, ModelStreamInferResponse> answers = new ConcurrentHashMap<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ModelInferRequest> send = GRPCInferenceServiceGrpc.newStub(channel).withCallCredentials(bearer(Seraphim.ADMIN_KEY))
                .withDeadlineAfter(120, TimeUnit.SECONDS).modelStreamInfer(new StreamObserver<>() {
                    @Override
                    public void onNext(ModelStreamInferResponse r) {
                        if (!r.getErrorMessage().isEmpty()) {
                            errors.add(r.getErrorMessage());
                        }
                        answers.put(r.getInferResponse().getId(), r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.add(t.toString());
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (int i = 0; i < 1000; i++) {
            send.onNext(base.toBuilder().setId("s" + i).build());
        }
        send.onCompleted();
        assertTrue(done.await(120, TimeUnit.SECONDS), "the stream ended");
        assertEquals(List.of(), errors);
        assertEquals(1000, answers.size());
        for (int i = 0; i < 1000; i += 97) {
            golden.assertClose(c, output(answers.get("s" + i).getInferResponse()), "stream answer " + i);
        }
    }

    /**
     * tabular-mlp-delayed holds its first request 300 ms for others to join: a call whose deadline (100 ms) or
     * cancellation (after 100 ms) comes first is dropped from the queue, its forward never run.
     */
    @Test
    void aDeadlineOrACancellationWhileQueuedDropsTheRequestBeforeItsForward() throws Exception {
        Golden.Case c = Golden.load("tabular-mlp").cases().get(0);
        ModelInferRequest delayed = request(c, true).toBuilder().setModelName("tabular-mlp-delayed").build();
        admin().modelInfer(delayed);  // loaded and warm
        String before = Seraphim.get("/metrics?scope=application").body();
        StatusRuntimeException late = assertThrows(StatusRuntimeException.class,
                () -> admin().withDeadlineAfter(100, TimeUnit.MILLISECONDS).modelInfer(delayed));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
        var future = GRPCInferenceServiceGrpc.newFutureStub(channel).withCallCredentials(bearer(Seraphim.ADMIN_KEY)).modelInfer(delayed);
        Thread.sleep(100);
        assertTrue(future.cancel(true));
        Thread.sleep(1500);
        String after = Seraphim.get("/metrics?scope=application").body();
        String[] delayedSeries = {"model=\"tabular-mlp-delayed\""};
        assertEquals(ServerSurfaceIT.value(before, "seraphim_batches_total", delayedSeries),
                ServerSurfaceIT.value(after, "seraphim_batches_total", delayedSeries), "no forward ran for the dropped requests");
        assertEquals(2, ServerSurfaceIT.value(after, "seraphim_queue_expired_total", delayedSeries)
                - ServerSurfaceIT.value(before, "seraphim_queue_expired_total", delayedSeries), "both requests dropped from the queue");
        assertTrue(ServerSurfaceIT.value(after, "seraphim_grpc_cancelled_total", "reason=\"deadline\"")
                > ServerSurfaceIT.value(before, "seraphim_grpc_cancelled_total", "reason=\"deadline\""));
        assertTrue(ServerSurfaceIT.value(after, "seraphim_grpc_cancelled_total", "reason=\"cancelled\"")
                > ServerSurfaceIT.value(before, "seraphim_grpc_cancelled_total", "reason=\"cancelled\""));
    }

    @Test
    void keysRolesAndAllowListsAsOverRest() throws Exception {
        ModelInferRequest mlp = request(Golden.load("tabular-mlp").cases().get(0), false);
        var anonymous = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> anonymous.modelInfer(mlp)).getStatus().getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                () -> anonymous.withCallCredentials(bearer("sk_nosuchkey_" + "x".repeat(43))).modelInfer(mlp)).getStatus().getCode());
        String operator = SecurityIT.createKey("{\"name\":\"grpc-operator\",\"role\":\"operator\"}").getString("secret");
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> anonymous.withCallCredentials(bearer(operator)).modelInfer(mlp));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertTrue(denied.getStatus().getDescription().contains("operator"), denied.getMessage());
        String client = SecurityIT.createKey("{\"name\":\"grpc-client\",\"role\":\"client\",\"models\":[\"text-classifier\"]}").getString("secret");
        StatusRuntimeException outside = assertThrows(StatusRuntimeException.class,
                () -> anonymous.withCallCredentials(bearer(client)).modelInfer(mlp));
        assertEquals(Status.Code.PERMISSION_DENIED, outside.getStatus().getCode(), outside.getMessage());
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class,
                () -> anonymous.withCallCredentials(bearer(client)).repositoryIndex(RepositoryIndexRequest.getDefaultInstance())).getStatus().getCode());
        ModelInferRequest text = request(Golden.load("text-classifier").cases().get(0), false);
        assertEquals("text-classifier", anonymous.withCallCredentials(bearer(client)).modelInfer(text).getModelName());
        // a key with a rate of 1 request/s and a burst of 2: the third call at once is RESOURCE_EXHAUSTED with retry-after
        String slow = SecurityIT.createKey("{\"name\":\"grpc-limited\",\"role\":\"client\",\"rate_per_second\":1,\"burst\":2}").getString("secret");
        var limited = anonymous.withCallCredentials(bearer(slow));
        limited.modelInfer(mlp);
        limited.modelInfer(mlp);
        StatusRuntimeException exhausted = assertThrows(StatusRuntimeException.class, () -> limited.modelInfer(mlp));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, exhausted.getStatus().getCode());
        assertTrue(exhausted.getTrailers().get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER)) != null);
    }

    /** Wrong requests are INVALID_ARGUMENT or NOT_FOUND with a message naming the fault; random bytes never crash the server. */
    @Test
    void malformedRequestsAreRefusedSayingWhy() throws Exception {
        ModelInferRequest good = request(Golden.load("tabular-mlp").cases().get(0), false);
        Map<ModelInferRequest, String> wrong = Map.of(
                good.toBuilder().setModelName("no-such-model").build(), "no-such-model",
                good.toBuilder().clearInputs().build(), "no inputs",
                good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setDatatype("FP99")).build(), "FP99",
                good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().clearShape().addShape(1).addShape(15)).build(), "shape",
                good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setContents(InferTensorContents.newBuilder().addInt64Contents(1))).build(), "fp32_contents",
                good.toBuilder().addRawInputContents(ByteString.copyFrom(new byte[3])).build(), "contents",
                good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().clearShape().addShape(1L << 40).addShape(16)).build(), "too many");
        for (var e : wrong.entrySet()) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> admin().modelInfer(e.getKey()));
            assertTrue(Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND).contains(refused.getStatus().getCode()), refused.getMessage());
            assertTrue(refused.getStatus().getDescription().contains(e.getValue()), e.getValue() + ": " + refused.getStatus().getDescription());
        }
        // random bytes as the message: the server refuses to parse them, and answers the next call as before
        Random random = new Random(38);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(2000)];
            random.nextBytes(junk);
            io.grpc.CallOptions options = io.grpc.CallOptions.DEFAULT.withCallCredentials(bearer(Seraphim.ADMIN_KEY));
            try {
                io.grpc.stub.ClientCalls.blockingUnaryCall(channel, rawMethod(), options, junk);
            } catch (StatusRuntimeException expected) {
                assertFalse(expected.getStatus().getCode() == Status.Code.UNKNOWN && expected.getStatus().getDescription() == null,
                        "a status that says nothing: " + expected);
            }
        }
        assertEquals("tabular-mlp", admin().modelInfer(good).getModelName());
    }

    /** ModelInfer with the request message as raw bytes, for what no well-formed client sends. */
    private static io.grpc.MethodDescriptor<byte[], ModelInferResponse> rawMethod() {
        return io.grpc.MethodDescriptor.<byte[], ModelInferResponse>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                .setRequestMarshaller(new io.grpc.MethodDescriptor.Marshaller<>() {
                    @Override
                    public java.io.InputStream stream(byte[] value) {
                        return new java.io.ByteArrayInputStream(value);
                    }

                    @Override
                    public byte[] parse(java.io.InputStream stream) {
                        throw new UnsupportedOperationException();
                    }
                })
                .setResponseMarshaller(GRPCInferenceServiceGrpc.getModelInferMethod().getResponseMarshaller()).build();
    }

    /** gRPC and REST requests to one model at once: every answer right, and some batches mixed both. */
    @Test
    void grpcAndRestShareOneModelsBatches() throws Exception {
        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(0);
        ModelInferRequest delayed = request(c, false).toBuilder().setModelName("tabular-mlp-delayed").build();
        String restBody = c.oipBody();
        String before = Seraphim.get("/metrics?scope=application").body();
        var grpc = GRPCInferenceServiceGrpc.newFutureStub(channel).withCallCredentials(bearer(Seraphim.ADMIN_KEY));
        List<com.google.common.util.concurrent.ListenableFuture<ModelInferResponse>> viaGrpc = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> viaRest = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            viaGrpc.add(grpc.modelInfer(delayed));
            viaRest.add(Seraphim.HTTP.sendAsync(Seraphim.post("/v2/models/tabular-mlp-delayed/infer", restBody),
                    java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : viaGrpc) {
            golden.assertClose(c, output(f.get(30, TimeUnit.SECONDS)), "gRPC beside REST");
        }
        for (var f : viaRest) {
            var r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            JsonArray data = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
            golden.assertClose(c, data.getValuesAs(JsonNumber.class).stream().mapToDouble(JsonNumber::doubleValue).toArray(), "REST beside gRPC");
        }
        String after = Seraphim.get("/metrics?scope=application").body();
        String[] series = {"model=\"tabular-mlp-delayed\""};
        double batches = ServerSurfaceIT.value(after, "seraphim_batch_size_count", series) - ServerSurfaceIT.value(before, "seraphim_batch_size_count", series);
        double rows = ServerSurfaceIT.value(after, "seraphim_batch_size_sum", series) - ServerSurfaceIT.value(before, "seraphim_batch_size_sum", series);
        // 8 rows of 4 gRPC and 4 REST requests sent within the 300 ms batch delay: a batch of more than 4 rows held both
        assertTrue(batches > 0 && rows / batches > 4, "8 requests (4 gRPC, 4 REST) ran as " + batches + " batches of " + rows + " rows");
    }

    /**
     * deploy/grpc-client, the project's command-line client, run as users run it: an inference in proto3 JSON answered
     * with tabular-mlp's output; no key answered UNAUTHENTICATED (exit 1); a request that is not JSON refused (exit 2).
     */
    @Test
    void theCommandLineClientInfersAndReportsErrors() throws Exception {
        String target = "127.0.0.1:" + Integer.getInteger("seraphim.it.grpc.port");
        String request = "{\"model_name\":\"tabular-mlp\",\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[\"1\",\"16\"],"
                + "\"contents\":{\"fp32_contents\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}}]}";
        String[] ok = cli("--target", target, "--key", Seraphim.ADMIN_KEY, "infer", request);
        assertEquals("0", ok[0], ok[2]);
        jakarta.json.JsonObject answer = Seraphim.json(ok[1]);
        assertEquals("tabular-mlp", answer.getString("modelName"), ok[1]);
        assertEquals(1, answer.getJsonArray("outputs").size(), ok[1]);
        String[] ready = cli("--target", target, "--key", Seraphim.ADMIN_KEY, "ready");
        assertEquals("0", ready[0], ready[2]);
        assertTrue(ready[1].contains("\"ready\": true"), ready[1]);
        String[] anonymous = cli("--target", target, "--key", "", "infer", request);
        assertEquals("1", anonymous[0], anonymous[1]);
        assertTrue(anonymous[2].startsWith("UNAUTHENTICATED"), anonymous[2]);
        String[] notJson = cli("--target", target, "--key", Seraphim.ADMIN_KEY, "infer", "{not json");
        assertEquals("2", notJson[0], notJson[1]);
        assertTrue(notJson[2].contains("not a ModelInferRequest"), notJson[2]);
    }

    /** Exit status, standard output, standard error of deploy/grpc-client. */
    private static String[] cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("../deploy/grpc-client"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("SERAPHIM_KEY");
        Process p = pb.start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "grpc-client ended");
        return new String[]{Integer.toString(p.exitValue()), out.get(), err};
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
