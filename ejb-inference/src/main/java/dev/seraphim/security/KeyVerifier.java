package dev.seraphim.security;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.logging.Logger;

/**
 * Publishes {@link KeyTable#authenticate} to the server as the MBean {@value #NAME}, so that Liberty's own
 * endpoints (/metrics) accept exactly the keys the API accepts. Registered while the application runs; without
 * it the trust association accepts no key.
 */
public final class KeyVerifier implements KeyVerifierMBean {
    static final String NAME = "dev.seraphim:type=KeyVerifier";
    private static final Logger LOG = Logger.getLogger(KeyVerifier.class.getName());

    private final KeyTable table;

    private KeyVerifier(KeyTable table) {
        this.table = table;
    }

    @Override
    public String verify(String secret) {
        return table.authenticate(secret).map(c -> c.keyId() + " " + c.role().roleName()).orElse(null);
    }

    static void register(KeyTable table) {
        try {
            ObjectName name = new ObjectName(NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new KeyVerifier(table), name);
        } catch (JMException e) {
            LOG.severe("cannot publish API-key verification to the server; /metrics accepts no key: " + e.getMessage());
        }
    }

    static void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(NAME));
        } catch (JMException ignored) {
            // already gone
        }
    }
}
