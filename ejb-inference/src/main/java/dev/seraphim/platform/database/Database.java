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
    org.eclipse.microprofile.metrics.MetricRegistry metrics;

    private volatile String migratedTo = "none";
    private volatile String startupError;

    @PostConstruct
    void start() {
        System.setProperty(EmbeddedPostgres.IN_USE_PROPERTY, "true");
        metrics.gauge(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_database_up")
                .withDescription("1 while PostgreSQL answers a round trip within 2 s, else 0 (checked at each scrape)").build(),
                () -> ping().isPresent() ? 1 : 0);
        try {
            EmbeddedPostgres embedded = new EmbeddedPostgres(Path.of(embeddedDir),
                    embeddedBinaries.filter(s -> !s.isBlank()).map(Path::of).orElse(null), embeddedPort, "seraphim", "seraphim");
            if (url.filter(u -> !u.isBlank() && !u.equals(embedded.jdbcUrl())).isEmpty()) {
                embedded.start();
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
        // (0.3-0.5 s of the cold start apiece, docs/performance.md, sixth round)
        migratedTo = result.targetSchemaVersion != null ? result.targetSchemaVersion
                : result.initialSchemaVersion != null ? result.initialSchemaVersion : "none";
        LOG.info("database schema at version " + migratedTo + " (" + result.migrationsExecuted + " migrations applied now)");
    }

    /** One round trip to the database; empty when it does not answer within the timeout. */
    public Optional<Duration> ping() {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1");
            return Optional.of(Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException e) {
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
