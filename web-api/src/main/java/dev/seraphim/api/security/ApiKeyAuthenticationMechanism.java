package dev.seraphim.api.security;

import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.RequestOrigin;
import dev.seraphim.security.KeyDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * API keys over HTTP: {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. Which paths need a key,
 * and which role, is declared in web.xml; this mechanism only says who the caller is. A protected path without
 * a valid key gets 401 in the error shape of its API, and the failure goes to the access audit.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {
    @Inject
    IdentityStoreHandler identityStores;

    @Inject
    AccessAudit audit;

    @Inject
    CurrentCaller current;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        RequestIds.ensure(request, response);
        if (malformedBasic(request.getHeader("Authorization"))) {
            // Liberty's own Basic authentication, which runs after this mechanism, failed with a 500 (and a SEVERE
            // stack) on a Basic credential without a ':' or not in base64: refused here as the caller's error
            audit.record(request, null, 400, "malformed_authorization");
            ErrorResponses.write(request, response, request.getRequestURI(), new ApiError(400, "Bad Request",
                    "the Authorization header is malformed: Basic needs base64 of user:password; API keys go in"
                            + " Authorization: Bearer <key> or X-API-Key: <key>", null, "client_error"));
            return AuthenticationStatus.SEND_FAILURE;
        }
        String secret = presented(request);
        if (!context.isProtected()) {
            // public probes: a key, valid or not, changes nothing
            return context.doNothing();
        }
        if (secret == null) {
            return refuse(request, response, null, "unauthenticated",
                    "this endpoint needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>");
        }
        CredentialValidationResult result = identityStores.validate(new ApiKeyCredential(secret));
        if (result.getStatus() != CredentialValidationResult.Status.VALID) {
            return refuse(request, response, KeyDirectory.claimedId(secret).orElse(null), "authentication_failed",
                    "the API key is not valid: unknown, revoked, expired, or replaced by a rotation whose grace period is over");
        }
        RequestOrigin origin = RequestIds.origin(request);
        current.get().ifPresent(caller -> request.setAttribute(RequestIds.ORIGIN,
                new RequestOrigin(origin.requestId(), origin.maskedClientAddress(), caller.keyHash())));
        AuthenticationStatus status = context.notifyContainerAboutLogin(result);
        CallerSubjectCacheKey.attach(context.getClientSubject(), result);
        return status;
    }

    static boolean malformedBasic(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic", 0, 5)) {
            return false;
        }
        String value = authorization.substring(5).trim();
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.UTF_8);
            return value.isEmpty() || decoded.indexOf(':') < 0;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    static String presented(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        String key = request.getHeader("X-API-Key");
        return key == null || key.isBlank() ? null : key.trim();
    }

    private AuthenticationStatus refuse(HttpServletRequest request, HttpServletResponse response, String keyId,
                                        String event, String message) {
        audit.record(request, keyId, 401, event);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"seraphim\"");
        ErrorResponses.write(request, response, request.getRequestURI(), new ApiError(401, "Unauthorized", message, null, "client_error"));
        return AuthenticationStatus.SEND_FAILURE;
    }
}
