package dev.seraphim.security;

import java.util.Locale;

/**
 * What a key may do. admin: everything; operator: models, jobs, health details, audit, metrics; client:
 * inference only (within the key's model allow-list).
 */
public enum Role {
    ADMIN, OPERATOR, CLIENT;

    public String roleName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.roleName().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be admin, operator or client, not '" + s + "'");
    }
}
