package dev.seraphim.api.metrics;

import com.ibm.websphere.logging.hpel.LogRecordContext;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.RequestOrigin;
import dev.seraphim.audit.AuditSettings;
import dev.seraphim.audit.PayloadPolicy;
import dev.seraphim.audit.PredictionAuditTrail;
import dev.seraphim.audit.PredictionIntake;
import dev.seraphim.audit.PredictionRecord;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.platform.ServerIdentity;
import dev.seraphim.inference.status.ServingStatus;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of every inference request, in one place: counted by model, version, outcome and API; timed per model
 * and version; one access line (no input data, ever) when the access log policy asks for it; one prediction audit
 * record handed to the audit trail.
 * Model names the server does not serve are counted as "_unknown", so that callers cannot mint new time series.
 */
@ApplicationScoped
public class RequestMetrics {
    public static final String UNKNOWN = "_unknown";
    private static final Logger ACCESS = Logger.getLogger("dev.seraphim.access");
    private static final Logger LOG = Logger.getLogger(RequestMetrics.class.getName());

    @Inject
    MetricRegistry registry;

    @Inject
    ServingStatus engine;

    @Inject
    PredictionAuditTrail audit;

    @Inject
    AuditSettings auditSettings;

    @Inject
    ServerIdentity identity;

    /** Asked once: the server's name, and the audit intake (no container call per record). */
    private String serverName;
    private PredictionIntake intake;

    /** Read once at start ({@link AccessLogPolicy#KEY}). */
    private AccessLogPolicy accessLog;
    private AccessLineBudget failureLines;
    private org.eclipse.microprofile.metrics.Counter suppressedLines;

    @Inject
    @ConfigProperty(name = AccessLogPolicy.KEY)
    Optional<String> accessLogSetting;

    @Inject
    @ConfigProperty(name = "seraphim.log.access.failures.per.second", defaultValue = "20")
    int failureLinesPerSecond;

    @PostConstruct
    void start() {
        serverName = identity.name();
        intake = audit.intake();
        String configured = accessLogSetting.orElse(null);
        accessLog = configured == null ? AccessLogPolicy.DEFAULT : AccessLogPolicy.named(configured).orElseGet(() -> {
            LOG.warning(AccessLogPolicy.KEY + " is '" + configured + "', not all, failures or none: access lines for "
                    + AccessLogPolicy.DEFAULT.name().toLowerCase(Locale.ROOT) + " only");
            return AccessLogPolicy.DEFAULT;
        });
        failureLines = new AccessLineBudget(failureLinesPerSecond);
        suppressedLines = registry.counter(Metadata.builder().withName("seraphim_log_access_lines_suppressed")
                .withDescription("Access lines of failed requests not written (over seraphim.log.access.failures.per.second);"
                        + " a summary line says how many per 10 s").build());
        LOG.info("access lines in the log: " + accessLog.name().toLowerCase(Locale.ROOT) + " (" + AccessLogPolicy.KEY
                + "); every request is counted in the metrics and the prediction audit trail");
    }

    private static final Metadata REQUESTS = Metadata.builder().withName("seraphim_inference_requests")
            .withDescription("Inference requests by model, version, outcome and API").build();
    private static final Metadata DURATION = Metadata.builder().withName("seraphim_inference_request_duration")
            .withDescription("Inference request latency, body parsing to response, per model and version")
            .withUnit(MetricUnits.SECONDS).build();

    /** What {@link #record} returns when the record needs no waiting for (every model not audited synchronously). */
    public static final CompletionStage<Void> RECORDED = CompletableFuture.completedFuture(null);

    /** A request that failed before or during inference. */
    public void record(String api, RequestOrigin origin, String model, String version, String outcome, int status,
                       long startNanos) {
        record(api, origin, model, version, outcome, status, null, startNanos, null, null);
    }

    /**
     * The request body to hand to {@link #record} with the answer, or null: a body is kept until its answer only
     * where the model's audit payload policy hashes or samples it. Kept for every request, an image's JSON body
     * (1.5-3 MB) lived through the queue of a busy server, survived young collections and filled the old generation
     * (tiny-cnn at 64 clients: a full collection every 9-12 s, as the benchmark measured it).
     */
    public byte[] bodyForAudit(String model, byte[] body) {
        return model != null && auditSettings.payload(model).hashes() ? body : null;
    }

    /** Whether the model's audit payload policy reads request and answer bodies (hashes or samples them). */
    public boolean auditsPayload(String model) {
        return model != null && auditSettings.payload(model).hashes();
    }

    /** Whether the model's answers wait for their audit record ({@code seraphim.audit.synchronous[.<model>]}). */
    public boolean auditedSynchronously(String model) {
        return auditSettings.synchronous(model);
    }

    /** One counter series; the handles are looked up once, not on every request. */
    private record CounterKey(String model, String version, String outcome, String api) {
    }

    private record TimerKey(String model, String version) {
    }

    private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    /**
     * Counts, times, logs and audits one request. {@code input} and {@code output} are the request and response
     * bodies; they are read only when the model's audit payload policy asks for hashes or samples. Answers to
     * {@link #RECORDED} unless the model is audited synchronously: then a stage that completes once the record is
     * stored, or fails with {@code AuditUnavailableException} (the answer must then be withheld).
     */
    public CompletionStage<Void> record(String api, RequestOrigin origin, String model, String version, String outcome,
                                        int status, InferenceResult result, long startNanos, byte[] input, byte[] output) {
        long elapsedNanos = System.nanoTime() - startNanos;
        String servedVersion = result != null ? result.version() : version;
        // a result names a version that was just served; only failures need the engine to vet the names
        String[] series = result != null ? new String[]{result.model(), result.version()} : series(model, servedVersion);
        String safeModel = model == null ? "-" : clean(model, 128);
        String safeVersion = servedVersion == null ? null : clean(servedVersion, 64);
        PredictionRecord audit = auditRecord(api, origin, safeModel, safeVersion, outcome, status, result, elapsedNanos,
                series[0].equals(UNKNOWN) ? PayloadPolicy.NONE : auditSettings.payload(series[0]), input, output);
        if (result != null && auditSettings.synchronous(series[0])) {
            // counted once the record is stored; a withheld answer is recorded as the failure the caller receives
            return intake.commit(audit).thenRun(() -> count(api, origin, series, safeModel, safeVersion, outcome, status,
                    result, elapsedNanos));
        }
        count(api, origin, series, safeModel, safeVersion, outcome, status, result, elapsedNanos);
        intake.submit(audit);
        return RECORDED;
    }

    private void count(String api, RequestOrigin origin, String[] series, String safeModel, String safeVersion,
                       String outcome, int status, InferenceResult result, long elapsedNanos) {
        counters.computeIfAbsent(new CounterKey(series[0], series[1], outcome, api), k -> registry.counter(REQUESTS,
                new Tag("model", k.model()), new Tag("version", k.version()), new Tag("outcome", k.outcome()),
                new Tag("api", k.api()))).inc();
        timers.computeIfAbsent(new TimerKey(series[0], series[1]), k -> registry.timer(DURATION, new Tag("model", k.model()),
                new Tag("version", k.version()))).update(Duration.ofNanos(elapsedNanos));
        if (accessLog.writes(outcome) && ACCESS.isLoggable(Level.INFO)) {
            AccessLineBudget.Decision d = "success".equals(outcome) ? new AccessLineBudget.Decision(true, 0)
                    : failureLines.take(System.nanoTime());
            if (d.suppressedBefore() > 0) {
                ACCESS.info(d.suppressedBefore() + " access lines of failed requests were not written in the last 10 s"
                        + " (over seraphim.log.access.failures.per.second); seraphim_inference_requests_total counts them");
            }
            if (d.write()) {
                // this may run on a batch thread: the request id goes into the log context here too
                LogRecordContext.addExtension(RequestIds.LOG_FIELD, origin.requestId());
                try {
                    ACCESS.info(accessLine(api, origin, safeModel, safeVersion, status, outcome, result, elapsedNanos));
                } finally {
                    LogRecordContext.removeExtension(RequestIds.LOG_FIELD);
                }
            } else {
                suppressedLines.inc();
            }
        }
    }

    /** The access line, built by hand: String.format was about a quarter of this method in a profile of small requests. */
    static String accessLine(String api, RequestOrigin origin, String model, String version, int status, String outcome,
                             InferenceResult result, long elapsedNanos) {
        StringBuilder b = new StringBuilder(256).append("inference request_id=").append(origin.requestId())
                .append(" api=").append(api).append(" model=").append(model)
                .append(" version=").append(version == null ? "-" : version)
                .append(" status=").append(status).append(" outcome=").append(outcome)
                .append(" batch_rows=").append(result == null ? 0 : result.batchRows());
        millis(b.append(" queue_ms="), result == null ? 0 : result.queueNanos());
        millis(b.append(" compute_ms="), result == null ? 0 : result.computeNanos());
        millis(b.append(" duration_ms="), elapsedNanos);
        return b.append(" client=").append(origin.maskedClientAddress() == null ? "-" : origin.maskedClientAddress())
                .append(" key=").append(origin.keyHash() == null ? "-" : origin.keyHash().substring(0, 16)).toString();
    }

    /** Nanoseconds as milliseconds with three decimals (rounded half up), as %.3f would print them. */
    static void millis(StringBuilder b, long nanos) {
        long micros = Math.max(0, (nanos + 500) / 1000);
        long fraction = micros % 1000;
        b.append(micros / 1000).append('.');
        if (fraction < 100) {
            b.append(fraction < 10 ? "00" : "0");
        }
        b.append(fraction);
    }

    private PredictionRecord auditRecord(String api, RequestOrigin origin, String model, String version, String outcome,
                                         int status, InferenceResult result, long elapsedNanos, PayloadPolicy payload,
                                         byte[] input, byte[] output) {
        Instant received = Instant.now().minusNanos(elapsedNanos).truncatedTo(ChronoUnit.MICROS);
        boolean hash = payload.hashes() && result != null;
        boolean sample = hash && payload.samples(ThreadLocalRandom.current().nextDouble());
        return new PredictionRecord(received, origin.requestId(), api, model, version, origin.keyHash(),
                origin.maskedClientAddress(), outcome, status, elapsedNanos / 1_000,
                result == null ? null : result.queueNanos() / 1_000, result == null ? null : result.computeNanos() / 1_000,
                result == null ? null : (int) result.batchRows(),
                hash ? sha256(input) : null, hash ? sha256(output) : null,
                sample ? sample(input) : null, sample ? sample(output) : null, serverName);
    }

    /** Map lookups only: this runs on every request, and must never throw on the failure path. */
    private String[] series(String model, String version) {
        if (model == null || !engine.serves(model)) {
            return new String[]{UNKNOWN, ""};
        }
        // a request that named no version was meant for the default one
        String asked = version != null ? version : engine.defaultVersion(model).orElse(null);
        return new String[]{model, asked != null && engine.version(model, asked).isPresent() ? asked : UNKNOWN};
    }

    /** {@code s} with every character outside [A-Za-z0-9._-] as '?', at most {@code max} long; usually {@code s} itself. */
    static String clean(String s, int max) {
        int n = Math.min(s.length(), max);
        char[] out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!plain) {
                if (out == null) {
                    out = s.substring(0, n).toCharArray();
                }
                out[i] = '?';
            }
        }
        return out != null ? new String(out) : n < s.length() ? s.substring(0, n) : s;
    }

    private String sample(byte[] body) {
        if (body == null) {
            return null;
        }
        int n = Math.min(body.length, auditSettings.sampleMaxBytes());
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body, 0, n))
                    + (n < body.length ? "…[truncated " + body.length + " bytes]" : "");
        } catch (java.nio.charset.CharacterCodingException e) {
            // binary tensor data (or a cut through a character): not text worth keeping
            return "…[not UTF-8 text: " + body.length + " bytes, binary tensor data or truncated]";
        }
    }

    private static String sha256(byte[] body) {
        if (body == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
