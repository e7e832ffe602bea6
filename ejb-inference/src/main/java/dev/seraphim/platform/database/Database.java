package dev.seraphim.platform.database;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The platform's PostgreSQL: starts the embedded one when no URL is configured, then brings the schema up to
 * date with the versioned migrations, before any other bean touches the database.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class Database {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "seraphim.db.url")
    Optional<String> url;

    @Inject
    @ConfigProperty(name = "seraphim.db.embedded.port", defaultValue = "55432")
    int embeddedPort;

    @Inject
    @ConfigProperty(name = "seraphim.db.embedded.dir", defaultValue = ".seraphim/postgres")
    String embeddedDir;

    @Inject
    @ConfigProperty(name = "seraphim.db.embedded.binaries")
    Optional<String> embeddedBinaries;

    @Inject
    @ConfigProperty(name = "seraphim.db.embedded.restart.after.seconds", defaultValue = "5")
    long restartAfterSeconds;

    @Inject
    org.eclipse.microprofile.metrics.MetricRegistry metrics;

    /** How long a health check waits for the database's round trip before it says DOWN. */
    public static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private volatile String migratedTo = "none";
    private CompletableFuture<Optional<Duration>> pingInFlight;
    @Resource
    jakarta.enterprise.concurrent.ManagedThreadFactory threads;

    @Resource
    jakarta.enterprise.concurrent.ManagedScheduledExecutorService scheduler;

    private EmbeddedSupervisor supervisor;
    private java.util.concurrent.ScheduledFuture<?> watch;
    private java.util.concurrent.ExecutorService pingThread;
    private volatile String startupError;

    @PostConstruct
    void start() {
        pingThread = java.util.concurrent.Executors.newSingleThreadExecutor(threads);
        System.setProperty(EmbeddedPostgres.IN_USE_PROPERTY, "true");
        metrics.gauge(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_database_up")
                .withDescription("1 while PostgreSQL answers a round trip within 2 s, else 0 (checked at each scrape)").build(),
                () -> ping().isPresent() ? 1 : 0);
        try {
            EmbeddedPostgres embedded = new EmbeddedPostgres(Path.of(embeddedDir),
                    embeddedBinaries.filter(s -> !s.isBlank()).map(Path::of).orElse(null), embeddedPort, "seraphim", "seraphim");
            if (url.filter(u -> !u.isBlank() && !u.equals(embedded.jdbcUrl())).isEmpty()) {
                embedded.start();
                supervisor = new EmbeddedSupervisor(embedded, metrics, restartAfterSeconds);
                watch = scheduler.scheduleWithFixedDelay(supervisor::check, EmbeddedSupervisor.INTERVAL_SECONDS,
                        EmbeddedSupervisor.INTERVAL_SECONDS, TimeUnit.SECONDS);
            }
            migrate();
        } catch (Exception e) {
            startupError = e.getMessage();
            LOG.log(Level.SEVERE, "the database is not available; inference continues, readiness reports it", e);
        }
    }

    /** Runs after every bean that depends on the database has stopped (and flushed what it held). */
    @jakarta.annotation.PreDestroy
    void stop() {
        if (watch != null) {
            watch.cancel(false);
        }
        pingThread.shutdownNow();
        System.clearProperty(EmbeddedPostgres.IN_USE_PROPERTY);
    }

    private void migrate() {
        Flyway flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .resourceProvider(new MigrationScripts(Database.class.getClassLoader()))
                .callbackLocations(new String[0])
                .javaMigrationClassProvider(List::of)
                .load();
        MigrateResult result = flyway.migrate();
        // the result names the version it started from: each flyway.info() would be a second full Flyway run
        // (0.3-0.5 s of the cold start apiece, measured on this project's 2-core machines)
        migratedTo = result.targetSchemaVersion != null ? result.targetSchemaVersion
                : result.initialSchemaVersion != null ? result.initialSchemaVersion : "none";
        LOG.info("database schema at version " + migratedTo + " (" + result.migrationsExecuted + " migrations applied now)");
    }

    /**
     * One round trip to the database; empty when it does not answer within {@link #PING_TIMEOUT}. With every
     * PostgreSQL process stopped (SIGSTOP) a query timeout alone never fired (its cancel request needs the
     * postmaster too) and health checks hung for the whole freeze. So the round trip runs on a thread of its own,
     * the caller waits at most the timeout, and while one round trip is still stuck every caller shares it instead
     * of starting another; the socket's own timeout ends the stuck one.
     */
    public Optional<Duration> ping() {
        CompletableFuture<Optional<Duration>> p;
        synchronized (this) {
            p = pingInFlight;
            if (p == null || p.isDone()) {
                p = CompletableFuture.supplyAsync(this::roundTrip, pingThread);
                pingInFlight = p;
            }
        }
        try {
            return p.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    private Optional<Duration> roundTrip() {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            try {
                c.setNetworkTimeout(Runnable::run, (int) PING_TIMEOUT.toMillis() * 2);
            } catch (SQLException | UnsupportedOperationException e) {
                LOG.log(Level.FINE, "no network timeout on the ping's connection", e);
            }
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout((int) PING_TIMEOUT.toSeconds());
                s.execute("SELECT 1");
            }
            return Optional.of(Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "database ping failed", e);
            return Optional.empty();
        }
    }

    public String schemaVersion() {
        return migratedTo;
    }

    public Optional<String> startupError() {
        return Optional.ofNullable(startupError);
    }
}
