package dev.seraphim.api.security;

import dev.seraphim.security.Caller;
import jakarta.enterprise.context.RequestScoped;

import java.util.Optional;

/** The key that authenticated the current request, for the model allow-list, rate limits and audit. */
@RequestScoped
public class CurrentCaller {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Optional<Caller> get() {
        return Optional.ofNullable(caller);
    }
}
