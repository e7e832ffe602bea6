package dev.seraphim.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Which server this is: its name in audit rows, drift references and job claims (configured, else the host's name),
 * and the Liberty server directory whose configuration drop-ins Seraphim writes generated secrets to.
 */
@ApplicationScoped
public class ServerIdentity {
    @Inject
    @ConfigProperty(name = "seraphim.server.name")
    Optional<String> serverName;

    @Inject
    @ConfigProperty(name = "seraphim.server.config.dir")
    Optional<String> configDir;

    /** The Liberty server's configuration directory (server.xml's), as server.xml passes it in a variable. */
    public Optional<java.nio.file.Path> configDirectory() {
        return configDir.filter(d -> !d.isBlank()).map(java.nio.file.Path::of);
    }

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
