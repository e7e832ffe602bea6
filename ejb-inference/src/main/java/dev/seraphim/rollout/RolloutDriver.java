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

    @Inject
    org.eclipse.microprofile.metrics.MetricRegistry metrics;

    private ScheduledFuture<?> ticks;
    private volatile long lastFailureLogged;
    /** model → {state code, candidate percent} of its active rollout, as of this replica's last turn. */
    private final java.util.concurrent.ConcurrentMap<String, int[]> active = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> gauged = java.util.concurrent.ConcurrentHashMap.newKeySet();

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

    /**
     * {@code seraphim_rollout_state{model}}: 1 running, 2 paused, 0 none (ended); {@code seraphim_rollout_step_percent{model}}:
     * the candidate's share in the current step. Every replica reports them (read from the database each turn), not only
     * the one that drives.
     */
    private void refreshGauges() {
        java.util.Map<String, Object[]> now = rollouts.activeByModel();
        active.keySet().removeIf(m -> !now.containsKey(m));
        now.forEach((model, v) -> {
            active.put(model, new int[]{v[0] == dev.seraphim.rollout.Rollout.State.PAUSED ? 2 : 1, (Integer) v[1]});
            if (gauged.add(model)) {
                org.eclipse.microprofile.metrics.Tag tag = new org.eclipse.microprofile.metrics.Tag("model", model);
                metrics.gauge(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_rollout_state")
                        .withDescription("The model's rollout: 1 running, 2 paused, 0 none").build(),
                        () -> active.getOrDefault(model, new int[]{0, 0})[0], tag);
                metrics.gauge(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_rollout_step_percent")
                        .withDescription("The candidate's share of the model's unversioned requests in its rollout's current step; 0 when none runs").build(),
                        () -> active.getOrDefault(model, new int[]{0, 0})[1], tag);
            }
        });
    }

    private void turn() {
        try {
            rollouts.tick();
            refreshGauges();
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
