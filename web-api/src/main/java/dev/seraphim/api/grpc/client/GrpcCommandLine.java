package dev.seraphim.api.grpc.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.seraphim.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.seraphim.api.grpc.v2.ModelInferRequest;
import dev.seraphim.api.grpc.v2.ModelMetadataRequest;
import dev.seraphim.api.grpc.v2.ModelStatisticsRequest;
import dev.seraphim.api.grpc.v2.RepositoryIndexRequest;
import dev.seraphim.api.grpc.v2.ServerLiveRequest;
import dev.seraphim.api.grpc.v2.ServerMetadataRequest;
import dev.seraphim.api.grpc.v2.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's own gRPC client for the command line ({@code deploy/grpc-client}, docs/grpc.md): requests and answers
 * in the proto3 JSON form of {@code grpc_predict_v2.proto}, as grpcurl writes them, without a proto file or reflection.
 * Exit status 0 on an answer, 1 on a gRPC error (its code and message on standard error), 2 on a usage error.
 */
public final class GrpcCommandLine {
    static final String USAGE = """
            usage: grpc-client [--target HOST:PORT] [--key KEY] [--timeout SECONDS] COMMAND [ARGS]
              live | ready | server              ServerLive, ServerReady, ServerMetadata
              metadata MODEL [VERSION]           ModelMetadata
              infer REQUEST                      ModelInfer; REQUEST is ModelInferRequest as JSON, @FILE, or - for standard input
              stats [MODEL]                      ModelStatistics
              index                              RepositoryIndex
              health [SERVICE]                   grpc.health.v1.Health/Check
            --target defaults to localhost:8081; --key to $SERAPHIM_KEY (sent as authorization: Bearer KEY)""";

    private GrpcCommandLine() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String target = "localhost:8081";
        String key = System.getenv("SERAPHIM_KEY");
        long timeoutSeconds = 30;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = i + 1 < args.length ? args[++i] : null;
                case "--key" -> key = i + 1 < args.length ? args[++i] : null;
                case "--timeout" -> timeoutSeconds = i + 1 < args.length && args[i + 1].matches("\\d{1,6}") ? Long.parseLong(args[++i]) : -1;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> rest.add(args[i]);
            }
        }
        if (target == null || timeoutSeconds < 0 || rest.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(256 << 20).build();
        try {
            Metadata headers = new Metadata();
            if (key != null && !key.isBlank()) {
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
            }
            var inference = GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
            List<String> a = rest.subList(1, rest.size());
            Message answer = switch (rest.get(0)) {
                case "live" -> inference.serverLive(ServerLiveRequest.getDefaultInstance());
                case "ready" -> inference.serverReady(ServerReadyRequest.getDefaultInstance());
                case "server" -> inference.serverMetadata(ServerMetadataRequest.getDefaultInstance());
                case "metadata" -> a.isEmpty() ? null : inference.modelMetadata(ModelMetadataRequest.newBuilder().setName(a.get(0))
                        .setVersion(a.size() > 1 ? a.get(1) : "").build());
                case "infer" -> a.size() != 1 ? null : inference.modelInfer(inferRequest(a.get(0)));
                case "stats" -> inference.modelStatistics(ModelStatisticsRequest.newBuilder().setName(a.isEmpty() ? "" : a.get(0)).build());
                case "index" -> inference.repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
                case "health" -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(a.isEmpty() ? "" : a.get(0)).build());
                default -> null;
            };
            if (answer == null) {
                err.println(USAGE);
                return 2;
            }
            out.println(JsonFormat.printer().print(answer));
            return 0;
        } catch (StatusRuntimeException e) {
            err.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return 1;
        } catch (InvalidProtocolBufferException e) {
            err.println("the request is not a ModelInferRequest in proto3 JSON (docs/grpc.md): " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cannot read the request: " + e.getMessage());
            return 2;
        } finally {
            channel.shutdownNow();
        }
    }

    /** The request as JSON: given inline, in a file ({@code @FILE}) or on standard input ({@code -}). */
    private static ModelInferRequest inferRequest(String argument) throws IOException {
        String json = argument.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : argument.startsWith("@") ? Files.readString(Path.of(argument.substring(1))) : argument;
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }
}
