package dev.seraphim.api.grpc;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.inference.status.ServingStatus;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC endpoint (docs/grpc.md): grpc-java on Netty, on a port of its own, started with the application and
 * stopped before it. Calls run on a fixed pool of managed threads. Besides the inference service it serves the
 * standard health service (SERVING while the server is ready, for Kubernetes' gRPC probes) and server reflection
 * (for grpcurl and other generic clients). Messages are bounded by the REST body limit.
 */
@ApplicationScoped
public class GrpcServer {
    private static final Logger LOG = Logger.getLogger(GrpcServer.class.getName());
    static final String SERVICE = "inference.GRPCInferenceService";

    @Inject
    @ConfigProperty(name = "seraphim.grpc.port", defaultValue = "8081")
    int port;

    @Inject
    @ConfigProperty(name = "seraphim.grpc.host", defaultValue = "*")
    String host;

    /** gRPC over TLS with the server's keystore (the HTTPS port's certificate); off unless a port is given. */
    @Inject
    @ConfigProperty(name = "seraphim.grpc.tls.port", defaultValue = "-1")
    int tlsPort;

    @Inject
    dev.seraphim.platform.tls.DevelopmentKeystore keystore;

    @Inject
    dev.seraphim.platform.shutdown.Termination termination;

    @Inject
    ApiLimits limits;

    @Inject
    InferenceRpcs rpcs;

    @Inject
    GrpcCallers callers;

    @Inject
    ServingStatus status;

    /** Threads made with the server's context once, then reused: no context captured and restored per call. */
    @Resource
    jakarta.enterprise.concurrent.ManagedThreadFactory threads;

    private java.util.concurrent.ExecutorService executor;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final java.util.List<Server> servers = new java.util.ArrayList<>();
    private ScheduledFuture<?> healthUpdates;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (port < 0 && tlsPort < 0) {
            LOG.info("gRPC: off (seraphim.grpc.port and seraphim.grpc.tls.port are negative)");
            return;
        }
        // a call's own work is short (read, check, queue; the forward runs on the batch workers, or on this thread
        // for an idle model, as on a REST request thread): a fixed pool of managed threads and a bounded queue; past
        // it the transport's own thread does the work, which stops it reading more until it has
        int n = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        executor = new java.util.concurrent.ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(4096),
                threads, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        HealthStatusManager health = new HealthStatusManager();
        if (port >= 0) {
            listen(port, null, health);
        }
        if (tlsPort >= 0) {
            tls().ifPresentOrElse(ssl -> listen(tlsPort, ssl, health), () -> LOG.severe("gRPC over TLS: the server's keystore"
                    + " cannot be read (seraphim.tls.keystore and its password); port " + tlsPort + " is not served"));
        }
        if (servers.isEmpty()) {
            return;
        }
        // the health service answers from what it was last told: told every second whether the server is ready
        healthUpdates = scheduler.scheduleWithFixedDelay(() -> {
            HealthCheckResponse.ServingStatus s = status.allReady() && !termination.draining() ? HealthCheckResponse.ServingStatus.SERVING
                    : HealthCheckResponse.ServingStatus.NOT_SERVING;
            health.setStatus("", s);
            health.setStatus(SERVICE, s);
        }, 0, 1, TimeUnit.SECONDS);
    }

    private void listen(int on, io.grpc.netty.shaded.io.netty.handler.ssl.SslContext ssl, HealthStatusManager health) {
        InetSocketAddress address = "*".equals(host) ? new InetSocketAddress(on) : new InetSocketAddress(host, on);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                .executor(executor)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes()))
                .maxInboundMetadataSize(16 * 1024)
                .maxConcurrentCallsPerConnection(1024)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(ServerInterceptors.intercept(rpcs, callers))
                .addService(ServerInterceptors.intercept(health.getHealthService(), callers))
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance());
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        try {
            servers.add(builder.build().start());
            LOG.info("gRPC" + (ssl != null ? " over TLS" : "") + ": " + SERVICE + ", grpc.health.v1.Health and reflection on "
                    + host + ":" + on);
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "gRPC: could not listen on " + host + ":" + on + ": " + e.getMessage() + "; REST is served, this port is not");
        }
    }

    /** The keystore's key and certificate chain as a server TLS context (TLS 1.2 and 1.3, HTTP/2's ALPN). */
    private java.util.Optional<io.grpc.netty.shaded.io.netty.handler.ssl.SslContext> tls() {
        return keystore.load().flatMap(store -> {
            try {
                javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, keystore.keystorePassword().orElse("").toCharArray());
                return java.util.Optional.of(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.configure(
                        io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(keys)).build());
            } catch (java.security.GeneralSecurityException | IOException e) {
                LOG.warning("gRPC over TLS: " + e.getMessage());
                return java.util.Optional.empty();
            }
        });
    }

    @PreDestroy
    void stop() {
        if (healthUpdates != null) {
            healthUpdates.cancel(false);
        }
        servers.forEach(Server::shutdown);
        if (executor != null) {
            executor.shutdown();
        }
        for (Server server : servers) {
            try {
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
