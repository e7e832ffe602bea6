package dev.seraphim.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** This replica's name in audit rows, drift references and job claims: configured, else the host's name. */
@ApplicationScoped
public class ServerIdentity {
    @Inject
    @ConfigProperty(name = "seraphim.server.name")
    Optional<String> serverName;

    public String name() {
        return serverName.orElseGet(() -> {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "unknown";
            }
        });
    }
}
