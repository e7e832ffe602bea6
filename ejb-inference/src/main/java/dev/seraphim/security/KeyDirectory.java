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

import java.util.Optional;
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

    private final KeyTable table = new KeyTable();
    private volatile boolean refreshFailing;
    private ScheduledFuture<?> refresher;

    @PostConstruct
    void start() {
        String bootstrap = bootstrapKey.map(String::trim).orElse("");
        if (bootstrap.length() >= MIN_BOOTSTRAP_LENGTH) {
            table.acceptBootstrap(bootstrap);
            LOG.info("the bootstrap admin key from configuration is accepted (key id '" + BOOTSTRAP_ID + "')");
        } else if (!bootstrap.isEmpty()) {
            LOG.severe("SERAPHIM_BOOTSTRAP_ADMIN_KEY is shorter than " + MIN_BOOTSTRAP_LENGTH + " characters and is NOT accepted");
        }
        refresh();
        if (!table.acceptsBootstrap() && !table.hasLiveAdmin()) {
            LOG.warning("no admin API key exists and SERAPHIM_BOOTSTRAP_ADMIN_KEY is not set: nobody can manage this server");
        }
        refresher = scheduler.scheduleWithFixedDelay(this::refresh, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
        // Liberty's /metrics accepts the same keys: the server's trust association asks through this MBean
        KeyVerifier.register(table);
    }

    @PreDestroy
    void stop() {
        KeyVerifier.unregister();
        if (refresher != null) {
            refresher.cancel(false);
        }
    }

    /**
     * The table the request path authenticates against, held by its callers for the application's life: asking
     * it costs no container call. Its contents follow every refresh and change.
     */
    public KeyTable table() {
        return table;
    }

    /** The key id a presented secret claims, for the access audit of a failure (never the secret). */
    public static Optional<String> claimedId(String presented) {
        return KeySecrets.idOf(presented);
    }

    /** Applies a change made through this replica at once, without waiting for the next refresh. */
    public void changed(ApiKey key) {
        table.put(key);
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
            table.replace(keys.all());
            if (refreshFailing) {
                refreshFailing = false;
                LOG.info("API keys are read from the database again (" + table.size() + " keys)");
            }
        } catch (RuntimeException e) {
            if (!refreshFailing) {
                refreshFailing = true;
                LOG.warning("cannot read API keys from the database; the last known keys stay in force: " + e.getMessage());
            }
        }
    }
}
