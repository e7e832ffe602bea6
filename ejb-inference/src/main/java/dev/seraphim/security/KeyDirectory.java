package dev.seraphim.security;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Every API key this server accepts, held in memory so that authentication never waits for the database. The
 * whole table is re-read every {@code seraphim.security.keys.refresh.ms} (2 s), so a key revoked or rotated on
 * any replica is honoured here within that time; changes made through this replica apply at once. While the
 * database is down the last copy stays in force. The bootstrap admin key comes from configuration only.
 */
@Singleton
@Startup
@DependsOn("Database")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class KeyDirectory {
    private static final Logger LOG = Logger.getLogger(KeyDirectory.class.getName());
    public static final String BOOTSTRAP_ID = "bootstrap";
    private static final int MIN_BOOTSTRAP_LENGTH = 24;

    @Inject
    ApiKeys keys;

    @Inject
    dev.seraphim.platform.database.Database database;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    @ConfigProperty(name = "seraphim.bootstrap.admin.key")
    Optional<String> bootstrapKey;

    @Inject
    @ConfigProperty(name = "seraphim.security.keys.refresh.ms", defaultValue = "2000")
    long refreshMillis;

    /** A stored key with the caller it authenticates as, built once per refresh rather than per request. */
    private record Known(ApiKey key, Caller caller) {
        static Known of(ApiKey k) {
            return new Known(k, new Caller(k.id(), k.role(), Set.copyOf(k.allowedModels()), k.ratePerSecond(), k.burst(),
                    KeySecrets.pseudonym(k.id())));
        }
    }

    private static final Caller BOOTSTRAP = new Caller(BOOTSTRAP_ID, Role.ADMIN, Set.of(), null, null,
            KeySecrets.pseudonym(BOOTSTRAP_ID));

    private volatile Map<String, Known> byId = Map.of();
    private volatile boolean refreshFailing;
    private byte[] bootstrapDigest;
    private ScheduledFuture<?> refresher;

    @PostConstruct
    void start() {
        String bootstrap = bootstrapKey.map(String::trim).orElse("");
        if (bootstrap.length() >= MIN_BOOTSTRAP_LENGTH) {
            bootstrapDigest = digest(bootstrap);
            LOG.info("the bootstrap admin key from configuration is accepted (key id '" + BOOTSTRAP_ID + "')");
        } else if (!bootstrap.isEmpty()) {
            LOG.severe("SERAPHIM_BOOTSTRAP_ADMIN_KEY is shorter than " + MIN_BOOTSTRAP_LENGTH + " characters and is NOT accepted");
        }
        refresh();
        if (bootstrapDigest == null && byId.values().stream().noneMatch(k -> k.key().revokedAt() == null && k.key().role() == Role.ADMIN)) {
            LOG.warning("no admin API key exists and SERAPHIM_BOOTSTRAP_ADMIN_KEY is not set: nobody can manage this server");
        }
        refresher = scheduler.scheduleWithFixedDelay(this::refresh, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
        // Liberty's /metrics accepts the same keys: the server's trust association asks through this MBean
        KeyVerifier.register(this);
    }

    @PreDestroy
    void stop() {
        KeyVerifier.unregister();
        if (refresher != null) {
            refresher.cancel(false);
        }
    }

    /** The caller a presented secret stands for, if it is a live key's current secret (or its previous one within the grace). */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 200) {
            return Optional.empty();
        }
        Known known = KeySecrets.idOf(presented).map(byId::get).orElse(null);
        if (known == null) {
            // not one of the stored keys: perhaps the bootstrap key (hashed only on this path)
            return bootstrapDigest != null && MessageDigest.isEqual(bootstrapDigest, digest(presented))
                    ? Optional.of(BOOTSTRAP) : Optional.empty();
        }
        ApiKey key = known.key();
        Instant now = Instant.now();
        if (key.revokedAt() != null || (key.expiresAt() != null && !now.isBefore(key.expiresAt()))) {
            return Optional.empty();
        }
        boolean current = KeySecrets.matches(presented, key.salt(), key.secretHash());
        boolean previous = !current && key.previousValidUntil() != null && now.isBefore(key.previousValidUntil())
                && KeySecrets.matches(presented, key.previousSalt(), key.previousSecretHash());
        if (!current && !previous) {
            return Optional.empty();
        }
        return Optional.of(known.caller());
    }

    /** The key id a presented secret claims, for the access audit of a failure (never the secret). */
    public static Optional<String> claimedId(String presented) {
        return KeySecrets.idOf(presented);
    }

    /** Applies a change made through this replica at once, without waiting for the next refresh. */
    public void changed(ApiKey key) {
        Map<String, Known> copy = new HashMap<>(byId);
        copy.put(key.id(), Known.of(key));
        byId = Map.copyOf(copy);
    }

    public void refresh() {
        if (database.ping().isEmpty()) {
            if (!refreshFailing) {
                refreshFailing = true;
                LOG.warning("cannot read API keys: the database does not answer; the last known keys stay in force");
            }
            return;
        }
        try {
            List<ApiKey> all = keys.all();
            Map<String, Known> fresh = new HashMap<>();
            all.forEach(k -> fresh.put(k.id(), Known.of(k)));
            byId = Map.copyOf(fresh);
            if (refreshFailing) {
                refreshFailing = false;
                LOG.info("API keys are read from the database again (" + fresh.size() + " keys)");
            }
        } catch (RuntimeException e) {
            if (!refreshFailing) {
                refreshFailing = true;
                LOG.warning("cannot read API keys from the database; the last known keys stay in force: " + e.getMessage());
            }
        }
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
