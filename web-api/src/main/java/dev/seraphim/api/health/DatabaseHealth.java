package dev.seraphim.api.health;

import dev.seraphim.platform.database.Database;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Optional;

/** Ready only while PostgreSQL answers; reports the round trip and the schema version. */
@Readiness
@ApplicationScoped
public class DatabaseHealth implements HealthCheck {
    @Inject
    Database database;

    @Override
    public HealthCheckResponse call() {
        Optional<Duration> rtt = database.ping();
        var builder = HealthCheckResponse.named("database").status(rtt.isPresent())
                .withData("schema_version", database.schemaVersion());
        rtt.ifPresent(d -> builder.withData("round_trip_ms", d.toNanos() / 1_000_000.0 + ""));
        database.startupError().ifPresent(e -> builder.withData("startup_error", e));
        return builder.build();
    }
}
