package dev.seraphim.rollout;

import dev.seraphim.inference.engine.EngineSettings;
import dev.seraphim.registry.InvalidArtifactException;
import dev.seraphim.registry.ModelLifecycle;
import dev.seraphim.registry.ModelRegistry;
import dev.seraphim.registry.ModelVersion;
import dev.seraphim.registry.RegisteredModel;
import dev.seraphim.registry.RegistryConflictException;
import dev.seraphim.registry.VersionState;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Rollouts (docs/rollouts.md): started by an operator or by retraining, driven one step at a time by whichever replica
 * claims them on its tick ({@link #tick}: the rows locked FOR UPDATE SKIP LOCKED, so that each decision is made once),
 * judged on the prediction audit of every replica, and paused, resumed, promoted or aborted by hand.
 */
@Stateless
public class Rollouts {
    private static final Logger LOG = Logger.getLogger(Rollouts.class.getName());
    static final String ACTOR = "rollout";

    @PersistenceContext(unitName = "seraphim")
    EntityManager em;

    @Inject
    ModelLifecycle lifecycle;

    @Inject
    ModelRegistry registry;

    @Inject
    EngineSettings settings;

    @Inject
    MetricRegistry metrics;

    /** A rollout of {@code candidate} started: its first step's weights set at once; 400/409 naming the problem, nothing changed. */
    public Rollout start(String model, JsonObject body, String actor) {
        RegisteredModel m = registry.requireModel(model);
        String candidate = body.get("candidate") instanceof JsonString c ? c.getString() : null;
        List<Integer> steps;
        int stepSeconds;
        RolloutGuard guard;
        try {
            if (candidate == null) {
                throw new IllegalArgumentException("'candidate' must name the version to roll out");
            }
            steps = steps(body.get("steps"));
            stepSeconds = body.containsKey("step_seconds") ? whole(body.get("step_seconds"), "step_seconds", 1, 86_400) : 300;
            guard = RolloutGuard.fromJson(body.get("guard"));
        } catch (IllegalArgumentException e) {
            throw new InvalidArtifactException(e.getMessage());
        }
        String baseline = m.defaultVersion().orElseThrow(() -> new RegistryConflictException("model " + model
                + " has no default version to roll out from; make one the default first"));
        if (candidate.equals(baseline)) {
            throw new InvalidArtifactException("the candidate " + candidate + " is already the default version of " + model);
        }
        ModelVersion v = registry.version(model, candidate);
        if (!v.wantedLoaded() || v.state() != VersionState.READY) {
            throw new InvalidArtifactException("the candidate " + candidate + " is not loaded (" + v.state() + "); load it first");
        }
        active(model).ifPresent(r -> {
            throw new RegistryConflictException("model " + model + " already has rollout " + r.id() + " (" + r.state() + "); pause, promote or abort it first");
        });
        Rollout r = new Rollout(model, baseline, candidate, steps, stepSeconds, guard, actor);
        em.persist(r);
        em.flush();
        r.record("started", Json.createObjectBuilder().add("actor", actor).add("guard", guard.toJson()).build());
        weights(r);
        registry.audit(actor, "rollout", model, candidate, "rollout " + r.id() + " started: steps " + steps + " of " + stepSeconds
                + " s from version " + baseline + ", guard " + guard.toJson(), null, settings.serverName());
        return r;
    }

    public Rollout find(String model, long id) {
        Rollout r = em.find(Rollout.class, id);
        if (r == null || !r.model().equals(model)) {
            throw new RolloutNotFoundException("model " + model + " has no rollout " + id);
        }
        return r;
    }

    /** The running and paused rollouts of every model, for the state gauges: model → (state, candidate percent). */
    public java.util.Map<String, Object[]> activeByModel() {
        java.util.Map<String, Object[]> active = new java.util.HashMap<>();
        em.createQuery("select r from Rollout r where r.state in :s", Rollout.class)
                .setParameter("s", List.of(Rollout.State.RUNNING, Rollout.State.PAUSED)).getResultStream()
                .forEach(r -> active.put(r.model(), new Object[]{r.state(), r.percent()}));
        return active;
    }

    public List<Rollout> of(String model) {
        registry.requireModel(model);
        return em.createQuery("select r from Rollout r where r.model = :m order by r.id desc", Rollout.class).setParameter("m", model)
                .setMaxResults(50).getResultList();
    }

    /** An operator's pause, resume, promote (now) or abort (weights back to the baseline alone). */
    public Rollout act(String model, long id, String action, String actor) {
        if (!java.util.Set.of("pause", "resume", "promote", "abort").contains(action)) {
            throw new InvalidArtifactException("unknown action '" + action.replaceAll("[^A-Za-z0-9_-]", "?") + "'; use pause, resume, promote or abort");
        }
        Rollout r = find(model, id);
        em.lock(r, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (!r.active()) {
            throw new RegistryConflictException("rollout " + id + " has ended (" + r.state() + ")");
        }
        switch (action) {
            case "pause" -> {
                r.pause();
                r.record("paused", Json.createObjectBuilder().add("actor", actor).build());
            }
            case "resume" -> {
                r.resume();
                r.record("resumed", Json.createObjectBuilder().add("actor", actor).build());
            }
            case "promote" -> promote(r, "promoted by " + actor);
            case "abort" -> end(r, Rollout.State.ABORTED, "aborted by " + actor, JsonValue.EMPTY_JSON_OBJECT);
            default -> throw new IllegalStateException(action);
        }
        registry.audit(actor, "rollout", model, r.candidate(), "rollout " + id + ": " + action, null, settings.serverName());
        return r;
    }

    /** One turn of the driver: every running rollout no other replica holds now is judged and moved on. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void tick() {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("SELECT id FROM rollout WHERE state = 'RUNNING' ORDER BY id FOR UPDATE SKIP LOCKED").getResultList();
        for (Number id : ids) {
            Rollout r = em.find(Rollout.class, id.longValue());
            StepFigures f = figures(r);
            Optional<String> trip = r.guard().trips(f);
            if (trip.isPresent()) {
                end(r, Rollout.State.ROLLED_BACK, "rolled back at " + r.percent() + " %: " + trip.get(), f.toJson());
            } else if (Duration.between(r.stepStartedAt(), OffsetDateTime.now()).toSeconds() >= r.stepSeconds() && r.guard().judged(f)) {
                if (r.stepIndex() == r.steps().size() - 1) {
                    r.record("passed", Json.createObjectBuilder().add("figures", f.toJson()).build());
                    promote(r, "promoted after its last step passed");
                } else {
                    r.record("passed", Json.createObjectBuilder().add("figures", f.toJson()).build());
                    r.advance();
                    weights(r);
                    r.record("advanced", JsonValue.EMPTY_JSON_OBJECT);
                    registry.audit(ACTOR, "rollout", r.model(), r.candidate(), "rollout " + r.id() + " advanced to " + r.percent()
                            + " % after " + f.toJson(), null, settings.serverName());
                }
            }
        }
    }

    private void promote(Rollout r, String why) {
        lifecycle.setDefault(r.model(), r.candidate(), ACTOR);
        lifecycle.clearTraffic(r.model(), ACTOR);
        r.end(Rollout.State.PROMOTED, why);
        r.record("promoted", Json.createObjectBuilder().add("reason", why).build());
        counted(r, "promoted");
        registry.audit(ACTOR, "rollout", r.model(), r.candidate(), "rollout " + r.id() + " " + why, null, settings.serverName());
    }

    private void end(Rollout r, Rollout.State state, String why, JsonObject figures) {
        lifecycle.clearTraffic(r.model(), ACTOR);
        r.end(state, why);
        r.record(state == Rollout.State.ROLLED_BACK ? "rolled_back" : "aborted", Json.createObjectBuilder().add("reason", why).add("figures", figures).build());
        counted(r, state == Rollout.State.ROLLED_BACK ? "rolled_back" : "aborted");
        registry.audit(ACTOR, "rollout", r.model(), r.candidate(), "rollout " + r.id() + " " + why + (figures.isEmpty() ? "" : "; figures " + figures),
                null, settings.serverName());
        LOG.warning("rollout " + r.id() + " of " + r.model() + " version " + r.candidate() + ": " + why);
    }

    /**
     * The step's weights; with a shadow-agreement guard also a shadow that compares candidate and baseline on the
     * requests the other one answers (the candidate shadows the baseline's; at 100 % the baseline shadows the candidate's).
     */
    private void weights(Rollout r) {
        int p = r.percent();
        var policy = Json.createObjectBuilder().add("weights", Json.createObjectBuilder().add(r.baseline(), 100 - p).add(r.candidate(), p));
        if (r.guard().minShadowAgreement() != null) {
            policy.add("shadow", Json.createObjectBuilder().add("version", p == 100 ? r.baseline() : r.candidate()).add("percent", 100));
        }
        lifecycle.setTraffic(r.model(), policy.build(), ACTOR);
    }

    private void counted(Rollout r, String outcome) {
        metrics.counter(Metadata.builder().withName("seraphim_rollouts").withDescription("Rollouts ended, by outcome (promoted, rolled_back, aborted)")
                .build(), new Tag("model", r.model()), new Tag("outcome", outcome)).inc();
    }

    /**
     * The baseline's and the candidate's requests, failures and p95 since the step began, over every replica. A failure
     * is any answer but a success or an overload refusal: a model that cannot run on some inputs answers them 400
     * (libtorch's error), and bad requests reach both versions alike, so only the difference of the rates says much.
     */
    StepFigures figures(Rollout r) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT model_version, count(*), count(*) FILTER (WHERE outcome IN ('client_error', 'server_error', 'timeout')),"
                + " coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_us), 0) FROM prediction_audit"
                + " WHERE model_name = ?1 AND received_at >= ?2 AND model_version IN (?3, ?4) GROUP BY model_version")
                .setParameter(1, r.model()).setParameter(2, r.stepStartedAt()).setParameter(3, r.baseline()).setParameter(4, r.candidate())
                .getResultList();
        StepFigures.Version baseline = StepFigures.Version.NONE;
        StepFigures.Version candidate = StepFigures.Version.NONE;
        for (Object[] row : rows) {
            StepFigures.Version v = new StepFigures.Version(((Number) row[1]).longValue(), ((Number) row[2]).longValue(),
                    ((Number) row[3]).doubleValue() / 1000);
            if (r.candidate().equals(row[0])) {
                candidate = v;
            } else {
                baseline = v;
            }
        }
        StepFigures.Agreement shadow = StepFigures.Agreement.NONE;
        if (r.guard().minShadowAgreement() != null) {
            Object[] sums = (Object[]) em.createNativeQuery("SELECT coalesce(sum(compared_rows), 0), coalesce(sum(agreeing_rows), 0)"
                    + " FROM shadow_comparison WHERE model_name = ?1 AND shadow_version IN (?2, ?3) AND recorded_at >= ?4")
                    .setParameter(1, r.model()).setParameter(2, r.baseline()).setParameter(3, r.candidate()).setParameter(4, r.stepStartedAt())
                    .getSingleResult();
            shadow = new StepFigures.Agreement(((Number) sums[0]).longValue(), ((Number) sums[1]).longValue());
        }
        return new StepFigures(baseline, candidate, shadow);
    }

    private Optional<Rollout> active(String model) {
        return em.createQuery("select r from Rollout r where r.model = :m and r.state in :s", Rollout.class).setParameter("m", model)
                .setParameter("s", List.of(Rollout.State.RUNNING, Rollout.State.PAUSED)).getResultStream().findFirst();
    }

    private static List<Integer> steps(JsonValue value) {
        if (!(value instanceof JsonArray a) || a.isEmpty() || a.size() > 20) {
            throw new IllegalArgumentException("'steps' must be 1 to 20 candidate percents, rising and ending at 100, e.g. [5, 25, 50, 100]");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonValue v : a) {
            int p = whole(v, "steps", 1, 100);
            if (!out.isEmpty() && p <= out.get(out.size() - 1)) {
                throw new IllegalArgumentException("'steps' must rise: " + a);
            }
            out.add(p);
        }
        if (out.get(out.size() - 1) != 100) {
            throw new IllegalArgumentException("'steps' must end at 100 (the candidate takes all traffic before it is promoted): " + a);
        }
        return out;
    }

    private static int whole(JsonValue v, String key, int min, int max) {
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < min || n.longValue() > max) {
            throw new IllegalArgumentException("'" + key + "' values must be whole numbers from " + min + " to " + max);
        }
        return n.intValue();
    }
}
