package dev.seraphim.api.metrics;

import com.ibm.websphere.logging.hpel.LogRecordContext;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.RequestOrigin;
import dev.seraphim.audit.AuditSettings;
import dev.seraphim.audit.PayloadPolicy;
import dev.seraphim.audit.PredictionAuditTrail;
import dev.seraphim.audit.PredictionRecord;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.engine.EngineSettings;
import dev.seraphim.inference.engine.InferenceEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of every inference request, in one place: counted by model, version, outcome and API; timed per model
 * and version; one access line (no input data, ever); one prediction audit record handed to the audit trail.
 * Model names the server does not serve are counted as "_unknown", so that callers cannot mint new time series.
 */
@ApplicationScoped
public class RequestMetrics {
    public static final String UNKNOWN = "_unknown";
    private static final Logger ACCESS = Logger.getLogger("dev.seraphim.access");

    @Inject
    MetricRegistry registry;

    @Inject
    InferenceEngine engine;

    @Inject
    PredictionAuditTrail audit;

    @Inject
    AuditSettings auditSettings;

    @Inject
    EngineSettings engineSettings;

    private volatile String serverName;

    private static final Metadata REQUESTS = Metadata.builder().withName("seraphim_inference_requests")
            .withDescription("Inference requests by model, version, outcome and API").build();
    private static final Metadata DURATION = Metadata.builder().withName("seraphim_inference_request_duration")
            .withDescription("Inference request latency, body parsing to response, per model and version")
            .withUnit(MetricUnits.SECONDS).build();

    /** A request that failed before or during inference. */
    public void record(String api, RequestOrigin origin, String model, String version, String outcome, int status,
                       long startNanos) {
        record(api, origin, model, version, outcome, status, null, startNanos, null, null);
    }

    /**
     * Counts, times, logs and audits one request. {@code input} and {@code output} are the request and response
     * bodies; they are read only when the model's audit payload policy asks for hashes or samples.
     */
    public void record(String api, RequestOrigin origin, String model, String version, String outcome, int status,
                       InferenceResult result, long startNanos, byte[] input, byte[] output) {
        long elapsedNanos = System.nanoTime() - startNanos;
        String servedVersion = result != null ? result.version() : version;
        String[] series = series(model, servedVersion);
        registry.counter(REQUESTS, new Tag("model", series[0]), new Tag("version", series[1]), new Tag("outcome", outcome),
                new Tag("api", api)).inc();
        registry.timer(DURATION, new Tag("model", series[0]), new Tag("version", series[1])).update(Duration.ofNanos(elapsedNanos));
        String safeModel = model == null ? "-" : clean(model, 128);
        String safeVersion = servedVersion == null ? null : clean(servedVersion, 64);
        // this may run on a batch thread: the request id goes into the log context here too
        LogRecordContext.addExtension(RequestIds.LOG_FIELD, origin.requestId());
        try {
            if (ACCESS.isLoggable(Level.INFO)) {
                ACCESS.info(String.format(Locale.ROOT,
                        "inference request_id=%s api=%s model=%s version=%s status=%d outcome=%s batch_rows=%d queue_ms=%.3f compute_ms=%.3f duration_ms=%.3f client=%s key=%s",
                        origin.requestId(), api, safeModel, safeVersion == null ? "-" : safeVersion, status, outcome,
                        result == null ? 0 : result.batchRows(), result == null ? 0 : result.queueNanos() / 1e6,
                        result == null ? 0 : result.computeNanos() / 1e6, elapsedNanos / 1e6,
                        origin.maskedClientAddress() == null ? "-" : origin.maskedClientAddress(),
                        origin.keyHash() == null ? "-" : origin.keyHash().substring(0, 16)));
            }
        } finally {
            LogRecordContext.removeExtension(RequestIds.LOG_FIELD);
        }
        audit.submit(auditRecord(api, origin, safeModel, safeVersion, outcome, status, result, elapsedNanos,
                series[0].equals(UNKNOWN) ? PayloadPolicy.NONE : auditSettings.payload(series[0]), input, output));
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
                sample ? sample(input) : null, sample ? sample(output) : null, serverName());
    }

    private String serverName() {
        String name = serverName;
        if (name == null) {
            name = serverName = engineSettings.serverName();
        }
        return name;
    }

    /** Map lookups only: this runs on every request, and must never throw on the failure path. */
    private String[] series(String model, String version) {
        if (model == null || !engine.serves(model)) {
            return new String[]{UNKNOWN, ""};
        }
        // a request that named no version was meant for the default one
        String asked = version != null ? version : engine.defaultVersion(model).orElse(null);
        return new String[]{model, asked != null && engine.loaded(model, asked).isPresent() ? asked : UNKNOWN};
    }

    private static String clean(String s, int max) {
        String c = s.replaceAll("[^A-Za-z0-9._-]", "?");
        return c.length() > max ? c.substring(0, max) : c;
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
