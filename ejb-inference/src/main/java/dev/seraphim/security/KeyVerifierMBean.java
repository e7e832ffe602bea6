package dev.seraphim.security;

/** The JMX contract between the application's keys and the server's trust association (server-config). */
public interface KeyVerifierMBean {
    /** "keyId role" for a live key's secret, null for anything else. Never returns or logs the secret. */
    String verify(String secret);
}
