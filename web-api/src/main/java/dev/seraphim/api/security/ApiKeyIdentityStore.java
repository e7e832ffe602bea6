package dev.seraphim.api.security;

import dev.seraphim.security.Caller;
import dev.seraphim.security.KeyDirectory;
import dev.seraphim.security.KeyTable;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.CallerPrincipal;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

import java.util.Optional;
import java.util.Set;

/** Validates API keys against the key directory; the caller's group is its role (admin, operator, client). */
@ApplicationScoped
public class ApiKeyIdentityStore implements IdentityStore {
    /**
     * The realm of the callers this store vouches for: server.xml's registry realm, as the trust association uses
     * for Liberty's own endpoints. Liberty names a caller's realm after the identity store id ("defaultRealm"
     * without one), and for any realm other than its registry's it compiled a regular expression in every
     * request's login (AccessIdUtil.getPatternForRealm; about 2 % of a small request's CPU in a profile).
     */
    static final String REALM = "seraphim";

    @Inject
    KeyDirectory directory;

    @Inject
    CurrentCaller current;

    /** Asked of the directory once: every request then reads the table without a container call. */
    private KeyTable table;

    @PostConstruct
    void start() {
        table = directory.table();
    }

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof ApiKeyCredential key)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        Optional<Caller> caller = table.authenticate(key.secret());
        if (caller.isEmpty()) {
            return CredentialValidationResult.INVALID_RESULT;
        }
        current.set(caller.get());
        String keyId = caller.get().keyId();
        return new CredentialValidationResult(REALM, new CallerPrincipal(keyId), null, keyId, Set.of(caller.get().role().roleName()));
    }
}
