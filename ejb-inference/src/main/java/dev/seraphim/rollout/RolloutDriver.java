package dev.seraphim.rollout;

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

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every replica's turn at the running rollouts, every {@code seraphim.rollout.tick.ms}: a rollout claimed by one replica
 * is skipped by the others for that turn, and one a stopped replica was driving is taken up by the next turn of any
 * other, or of itself after its restart.
 */
@Singleton
@Startup
@DependsOn("ModelLifecycle")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class RolloutDriver {
    private static final Logger LOG = Logger.getLogger(RolloutDriver.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    Rollouts rollouts;

    @Inject
    @ConfigProperty(name = "seraphim.rollout.tick.ms", defaultValue = "1000")
    long tickMillis;

    private ScheduledFuture<?> ticks;
    private volatile long lastFailureLogged;

    @PostConstruct
    void start() {
        ticks = scheduler.scheduleWithFixedDelay(this::turn, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    private void turn() {
        try {
            rollouts.tick();
        } catch (RuntimeException e) {
            // the database down or a step that could not be applied: the next turn tries again; logged once a minute
            long now = System.currentTimeMillis();
            if (now - lastFailureLogged > 60_000) {
                lastFailureLogged = now;
                LOG.log(Level.WARNING, "the rollouts could not be driven this turn; the next one tries again", e);
            }
        }
    }
}
