package dev.seraphim.api.grpc;

import dev.seraphim.api.ClientAddress;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.RequestOrigin;
import dev.seraphim.api.security.RateBuckets;
import dev.seraphim.security.Caller;
import dev.seraphim.security.KeyDirectory;
import dev.seraphim.security.KeyTable;
import dev.seraphim.security.Role;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who calls, for every gRPC call before its method runs: the request id (x-request-id or a traceparent's, else a
 * new one, sent back in the response headers), the API key from {@code authorization: Bearer <key>} (or {@code
 * x-api-key}) with the same roles as REST's paths, and the key's rate limit (the same buckets as REST). Liveness,
 * server readiness, the health service and reflection need no key, as REST's probes.
 */
@ApplicationScoped
public class GrpcCallers implements ServerInterceptor {
    static final Context.Key<Caller> CALLER = Context.key("seraphim.caller");
    static final Context.Key<RequestOrigin> ORIGIN = Context.key("seraphim.origin");
    /** The call's metadata, for what reads request headers (a traffic policy's sticky header). */
    static final Context.Key<Metadata> HEADERS = Context.key("seraphim.headers");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

    private static final String SERVICE = "inference.GRPCInferenceService/";
    private static final Set<Role> EVERY_ROLE = EnumSet.allOf(Role.class);
    private static final Set<Role> INFERENCE = EnumSet.of(Role.ADMIN, Role.CLIENT);
    private static final Set<Role> OPERATIONS = EnumSet.of(Role.ADMIN, Role.OPERATOR);
    /** Each RPC's roles, as web.xml's constraints give them for the REST paths of the same purpose. */
    private static final Map<String, Set<Role>> ROLES = Map.of(
            SERVICE + "ModelReady", EVERY_ROLE, SERVICE + "ServerMetadata", EVERY_ROLE, SERVICE + "ModelMetadata", EVERY_ROLE,
            SERVICE + "ModelInfer", INFERENCE, SERVICE + "ModelStreamInfer", INFERENCE,
            SERVICE + "ModelStatistics", OPERATIONS, SERVICE + "RepositoryIndex", OPERATIONS,
            SERVICE + "RepositoryModelLoad", OPERATIONS, SERVICE + "RepositoryModelUnload", OPERATIONS);
    private static final Set<String> PUBLIC = Set.of(SERVICE + "ServerLive", SERVICE + "ServerReady");

    @Inject
    KeyDirectory directory;

    @Inject
    RateBuckets rates;

    private KeyTable keys;

    @PostConstruct
    void start() {
        keys = directory.table();
    }

    /** The caller of the current call (empty on the public RPCs). */
    static Optional<Caller> caller() {
        return Optional.ofNullable(CALLER.get());
    }

    static RequestOrigin origin() {
        RequestOrigin o = ORIGIN.get();
        return o != null ? o : new RequestOrigin(RequestIds.idOf(null, null), null, null);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String id = RequestIds.idOf(headers.get(REQUEST_ID), headers.get(TRACEPARENT));
        ServerCall<Q, R> answering = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(REQUEST_ID, id);
                super.sendHeaders(responseHeaders);
            }
        };
        String client = ClientAddress.mask(address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
        Set<Role> roles = ROLES.get(method);
        if (roles == null) {
            // the probes, grpc.health.v1, reflection and what is not served (UNIMPLEMENTED follows)
            Context open = Context.current().withValues(ORIGIN, new RequestOrigin(id, client, null), HEADERS, headers);
            return Contexts.interceptCall(open, answering, headers, next);
        }
        String secret = presented(headers);
        if (secret == null) {
            return refuse(answering, Status.UNAUTHENTICATED.withDescription(
                    "this RPC needs an API key: send the metadata authorization: Bearer <key>"));
        }
        Optional<Caller> caller = keys.authenticate(secret);
        if (caller.isEmpty()) {
            return refuse(answering, Status.UNAUTHENTICATED.withDescription(
                    "the API key is not valid: unknown, revoked, expired, or replaced by a rotation whose grace period is over"));
        }
        Caller c = caller.get();
        if (!roles.contains(c.role())) {
            return refuse(answering, Status.PERMISSION_DENIED.withDescription(method.substring(method.indexOf('/') + 1)
                    + " needs a key with role " + roles.stream().map(Role::roleName).sorted().toList() + "; this key's role is " + c.role().roleName()));
        }
        // a stream takes a token per request it carries (InferenceRpcs), a unary call one here
        if (call.getMethodDescriptor().getType() == io.grpc.MethodDescriptor.MethodType.UNARY) {
            RateBuckets.Attempt attempt = rates.take(c);
            if (!attempt.allowed()) {
                Metadata trailers = new Metadata();
                trailers.put(GrpcFailures.RETRY_AFTER, Long.toString(attempt.decision().retryAfterSeconds()));
                answering.close(Status.RESOURCE_EXHAUSTED.withDescription(attempt.refusal()), trailers);
                return new ServerCall.Listener<>() {
                };
            }
        }
        Context known = Context.current().withValues(CALLER, c, ORIGIN, new RequestOrigin(id, client, c.keyHash()), HEADERS, headers);
        return Contexts.interceptCall(known, answering, headers, next);
    }

    /** Takes a token of the caller's rate limit for one request of a stream; empty when allowed, else the refusal. */
    Optional<String> takeStreamToken(Caller c) {
        RateBuckets.Attempt attempt = rates.take(c);
        return attempt.allowed() ? Optional.empty() : Optional.of(attempt.refusal());
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static String presented(Metadata headers) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        String key = headers.get(API_KEY);
        return key == null || key.isBlank() ? null : key.trim();
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : null;
    }
}
