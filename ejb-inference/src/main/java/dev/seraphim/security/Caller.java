package dev.seraphim.security;

import java.util.Set;

/**
 * An authenticated key as a request sees it: id, role, the models it may call (empty: all), its rate limit
 * (null: the server default), and the pseudonym that logs and the audit trail keep instead of the id.
 */
public record Caller(String keyId, Role role, Set<String> allowedModels, Double ratePerSecond, Integer burst, String keyHash) {
    public Caller {
        allowedModels = Set.copyOf(allowedModels);
    }

    public boolean mayUse(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }
}
