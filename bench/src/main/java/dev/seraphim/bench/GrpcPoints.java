package dev.seraphim.bench;

import com.google.protobuf.ByteString;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * gRPC beside HTTP (issue 38): at 1, 16 and 64 clients, for tabular-mlp, text-classifier and resnet18, a point of
 * OIP JSON over HTTP, one of the binary tensor extension over HTTP and one of gRPC ModelInfer with raw contents,
 * interleaved, each with the server's CPU per request; and the targets on them.
 */
final class GrpcPoints {
    static final int[] CONCURRENCY = {1, 16, 64};
    private static final Set<String> MODELS = Set.of("tabular-mlp", "text-classifier", "resnet18");

    private GrpcPoints() {
    }

    /** The client's HTTP/2 connections: one per core of this machine, the clients spread over them. */
    static final int CONNECTIONS = Math.max(1, Runtime.getRuntime().availableProcessors());

    static Map<String, Object> run(Benchmark bench, ServerUnderTest server, List<ModelCase> models) throws Exception {
        Benchmark.log("gRPC against HTTP (JSON and binary)");
        Map<String, Object> out = new LinkedHashMap<>();
        // one connection per core, as load tools open several (ghz --connections): one HTTP/2 connection is one event
        // loop thread on each side; answers handled on the transport's thread (directExecutor: grpc-java's advice for
        // callbacks that do not block, as the closed loop's do), not handed to another thread each
        List<ManagedChannel> channels = new java.util.ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", ServerUnderTest.GRPC_PORT).usePlaintext().directExecutor()
                    .maxInboundMessageSize(64 << 20).build());
        }
        try {
            for (ModelCase m : models) {
                if (!MODELS.contains(m.name())) {
                    continue;
                }
                double[] values = m.values(1, 3);
                LoadRequest json = Benchmark.inferRequest(server, m);
                ModelCase.Binary b = m.binaryBody(values);
                LoadRequest binary = LoadRequest.post(server.uri("/v2/models/" + m.name() + "/infer"), Map.of("Authorization",
                        server.loadAuthorization(), "Content-Type", "application/octet-stream", "Inference-Header-Content-Length",
                        Integer.toString(b.headerLength())), b.body());
                ModelInferRequest grpc = raw(m, values);
                // the gRPC path (server and client: Netty, protobuf, the gRPC service) is cold until now: the HTTP
                // warm-up did not run it, and interpreted it costs ten times its compiled CPU (a first quick run)
                double warm = bench.warmup < 1 ? 15 : 60;
                ClosedLoop.Result w = GrpcLoop.run(channels, server.loadAuthorization(), grpc, 16, warm, 1, bench.cpu);
                Benchmark.log(String.format(Locale.ROOT, "  %s gRPC warm-up: %.0f s at 16 clients, then %.1f req/s", m.name(), warm,
                        w.requestsPerSecond()));
                List<Map<String, Object>> rows = new ArrayList<>();
                ClosedLoop.Result j = null;
                ClosedLoop.Result k = null;
                for (int c : CONCURRENCY) {
                    j = bench.run(json, c, j);
                    k = bench.run(binary, c, k);
                    double[] length = Benchmark.pointLength(bench.warmup, bench.seconds, j.latency().p50(), c, c);
                    ClosedLoop.Result g = GrpcLoop.run(channels, server.loadAuthorization(), grpc, c, length[0], length[1], bench.cpu);
                    Benchmark.check(m.name() + " HTTP JSON", j);
                    Benchmark.check(m.name() + " HTTP binary", k);
                    Benchmark.check(m.name() + " gRPC", g);
                    rows.add(Benchmark.map("concurrency", c, "json", Benchmark.point(j, null), "binary", Benchmark.point(k, null),
                            "grpc", Benchmark.point(g, null), "grpc_over_json_throughput", g.requestsPerSecond() / j.requestsPerSecond(),
                            "grpc_over_json_cpu", g.serverCpuMicrosPerRequest() / j.serverCpuMicrosPerRequest()));
                    Benchmark.log(String.format(Locale.ROOT, "  %s c=%d: JSON %.1f req/s (%.0f us/req), binary %.1f req/s (%.0f us/req),"
                                    + " gRPC %.1f req/s (%.0f us/req) p50 %.2f ms", m.name(), c, j.requestsPerSecond(), j.serverCpuMicrosPerRequest(),
                            k.requestsPerSecond(), k.serverCpuMicrosPerRequest(), g.requestsPerSecond(), g.serverCpuMicrosPerRequest(),
                            g.latency().p50()));
                }
                out.put(m.name(), rows);
            }
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        return out;
    }

    /** One row of the model's values as raw little-endian contents, as Triton's clients send them. */
    static ModelInferRequest raw(ModelCase m, double[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * (m.int64() ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (m.int64()) {
                bytes.putLong((long) v);
            } else {
                bytes.putFloat((float) v);
            }
        }
        ModelInferRequest.InferInputTensor.Builder t = ModelInferRequest.InferInputTensor.newBuilder().setName(m.input()).setDatatype(m.datatype());
        for (long d : m.shape(1)) {
            t.addShape(d);
        }
        return ModelInferRequest.newBuilder().setModelName(m.name()).addInputs(t)
                .addRawInputContents(ByteString.copyFrom(bytes.array())).build();
    }

    /** The targets: tabular-mlp over gRPC against HTTP JSON (throughput and server CPU), resnet18's against binary HTTP. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> targets(Map<String, Object> report) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!(report.get("grpc") instanceof Map<?, ?> grpc)) {
            return out;
        }
        List<Map<String, Object>> mlp = (List<Map<String, Object>>) grpc.get("tabular-mlp");
        if (mlp != null) {
            double[] best = best(mlp, "json");
            double[] g = best(mlp, "grpc");
            out.add(Targets.target("tabular-mlp gRPC over HTTP JSON requests/s, best points", g[0] / best[0], ">=", 1.5,
                    String.format(Locale.ROOT, "gRPC %.0f req/s vs JSON %.0f req/s (the best of 1, 16, 64 clients each)", g[0], best[0])));
            out.add(Targets.target("tabular-mlp gRPC over HTTP JSON server CPU per request, at those points", g[1] / best[1], "<=", 0.6,
                    String.format(Locale.ROOT, "gRPC %.0f us vs JSON %.0f us of server CPU per request", g[1], best[1])));
        }
        List<Map<String, Object>> resnet = (List<Map<String, Object>>) grpc.get("resnet18");
        if (resnet != null) {
            double g = best(resnet, "grpc")[0];
            double b = best(resnet, "binary")[0];
            out.add(Targets.target("resnet18 gRPC (raw) over HTTP binary requests/s, best points", g / b, ">=", 1.0,
                    String.format(Locale.ROOT, "gRPC %.1f req/s vs binary HTTP %.1f req/s", g, b)));
        }
        return out;
    }

    /** The series' best requests/s and the server CPU per request at that point. */
    @SuppressWarnings("unchecked")
    private static double[] best(List<Map<String, Object>> rows, String series) {
        double rps = 0;
        double cpu = Double.NaN;
        for (Map<String, Object> row : rows) {
            Map<String, Object> p = (Map<String, Object>) row.get(series);
            double r = ((Number) p.get("requests_per_second")).doubleValue();
            if (r > rps) {
                rps = r;
                cpu = p.get("server_cpu_us_per_request") instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
        return new double[]{rps, cpu};
    }

    @SuppressWarnings("unchecked")
    static void markdown(Map<String, Object> report, StringBuilder b) {
        if (!(report.get("grpc") instanceof Map<?, ?> grpc)) {
            return;
        }
        b.append(String.format(Locale.ROOT, "%n## gRPC against HTTP (batching on)%n%nOIP JSON and the binary tensor extension over HTTP"
                + " (the load generator above), gRPC ModelInfer with raw contents (grpc-java, one HTTP/2 connection, a closed loop), interleaved."
                + "%n%n| model | clients | JSON req/s | JSON CPU µs | binary req/s | binary CPU µs | gRPC req/s | gRPC p50 ms | gRPC CPU µs"
                + " | gRPC / JSON req/s | gRPC / JSON CPU |%n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |%n"));
        ((Map<String, Object>) grpc).forEach((model, rows) -> {
            for (Map<String, Object> row : (List<Map<String, Object>>) rows) {
                Map<String, Object> j = (Map<String, Object>) row.get("json");
                Map<String, Object> k = (Map<String, Object>) row.get("binary");
                Map<String, Object> g = (Map<String, Object>) row.get("grpc");
                b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %.1f | %s | %.1f | %.2f | %s | %.2f | %.2f |%n", model,
                        row.get("concurrency"), j.get("requests_per_second"), cpu(j), k.get("requests_per_second"), cpu(k),
                        g.get("requests_per_second"), g.get("p50_ms"), cpu(g), row.get("grpc_over_json_throughput"), row.get("grpc_over_json_cpu")));
            }
        });
    }

    private static String cpu(Map<String, Object> point) {
        return point.get("server_cpu_us_per_request") instanceof Number n ? String.format(Locale.ROOT, "%.0f", n.doubleValue()) : "";
    }
}
