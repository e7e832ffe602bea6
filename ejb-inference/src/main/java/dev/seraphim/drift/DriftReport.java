package dev.seraphim.drift;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One drift check of one model version: the latest window against the reference, the PSI of every feature.
 *
 * @param retrainExecutionId the retrain job this check started, when it drifted and retraining is on
 */
public record DriftReport(long id, OffsetDateTime checkedAt, String model, String version, OffsetDateTime windowStart,
                          OffsetDateTime windowEnd, long windowRows, long referenceRows, double maxPsi, double threshold,
                          boolean drifted, Map<String, Double> featurePsi, Long executionId, Long retrainExecutionId) {
}
