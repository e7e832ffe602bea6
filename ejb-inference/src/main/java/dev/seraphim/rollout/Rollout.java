package dev.seraphim.rollout;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.io.StringReader;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout, persisted so that it survives restarts and any replica can drive it: the candidate's percent at each
 * step, the step it is at and since when, its guard, its state, and the history of every step and decision with the
 * figures that decided it.
 */
@Entity
@Table(name = "rollout")
public class Rollout {
    public enum State { RUNNING, PAUSED, PROMOTED, ROLLED_BACK, ABORTED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(name = "model_name", nullable = false)
    private String model;
    private String baseline;
    private String candidate;
    private String steps;
    @Column(name = "step_seconds")
    private int stepSeconds;
    private String guard;
    @Enumerated(EnumType.STRING)
    private State state;
    @Column(name = "step_index")
    private int stepIndex;
    @Column(name = "step_started_at")
    private OffsetDateTime stepStartedAt;
    private String history;
    private String reason;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "created_at")
    private OffsetDateTime createdAt;
    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;
    @Version
    @Column(name = "lock_version")
    private long lockVersion;
    /** {@link #steps} parsed once per loaded entity: the driver reads the current percent several times a turn */
    @jakarta.persistence.Transient
    private List<Integer> parsedSteps;

    protected Rollout() {
    }

    Rollout(String model, String baseline, String candidate, List<Integer> steps, int stepSeconds, RolloutGuard guard, String actor) {
        this.model = model;
        this.baseline = baseline;
        this.candidate = candidate;
        JsonArrayBuilder s = Json.createArrayBuilder();
        steps.forEach(s::add);
        this.steps = s.build().toString();
        this.stepSeconds = stepSeconds;
        this.guard = guard.toJson().toString();
        this.state = State.RUNNING;
        this.stepIndex = 0;
        this.createdBy = actor;
        this.createdAt = OffsetDateTime.now();
        this.stepStartedAt = createdAt;
        this.updatedAt = createdAt;
        this.history = "[]";
    }

    public Long id() {
        return id;
    }

    public String model() {
        return model;
    }

    public String baseline() {
        return baseline;
    }

    public String candidate() {
        return candidate;
    }

    public List<Integer> steps() {
        if (parsedSteps == null) {
            List<Integer> out = new ArrayList<>();
            for (JsonNumber n : Json.createReader(new StringReader(steps)).readArray().getValuesAs(JsonNumber.class)) {
                out.add(n.intValue());
            }
            parsedSteps = List.copyOf(out);
        }
        return parsedSteps;
    }

    public int stepSeconds() {
        return stepSeconds;
    }

    public RolloutGuard guard() {
        return RolloutGuard.fromJson(Json.createReader(new StringReader(guard)).readObject());
    }

    public State state() {
        return state;
    }

    public int stepIndex() {
        return stepIndex;
    }

    public int percent() {
        return steps().get(stepIndex);
    }

    public OffsetDateTime stepStartedAt() {
        return stepStartedAt;
    }

    public JsonArray history() {
        return Json.createReader(new StringReader(history)).readArray();
    }

    public String reason() {
        return reason;
    }

    public String createdBy() {
        return createdBy;
    }

    public OffsetDateTime createdAt() {
        return createdAt;
    }

    boolean active() {
        return state == State.RUNNING || state == State.PAUSED;
    }

    void record(String event, JsonObject detail) {
        this.history = Json.createArrayBuilder(history()).add(Json.createObjectBuilder(detail).add("at", OffsetDateTime.now().toString())
                .add("event", event).add("step", stepIndex).add("percent", percent())).build().toString();
        this.updatedAt = OffsetDateTime.now();
    }

    void advance() {
        stepIndex++;
        stepStartedAt = OffsetDateTime.now();
    }

    void end(State finalState, String why) {
        this.state = finalState;
        this.reason = why;
        this.updatedAt = OffsetDateTime.now();
    }

    void pause() {
        state = State.PAUSED;
    }

    /** Resumed: the step starts over, since the figures of a paused step say nothing of now. */
    void resume() {
        state = State.RUNNING;
        stepStartedAt = OffsetDateTime.now();
    }
}
