package dev.seraphim.audit;

import java.time.Instant;

/**
 * One prediction as the audit trail keeps it. No input data unless the model's payload policy asks for a hash
 * or a sampled copy; the client address is already masked and the key id already hashed when it gets here.
 *
 * @param receivedAt    when the request arrived, to the microsecond
 * @param latencyMicros arrival to response, as the caller saw it (less the network)
 * @param queueMicros   time waiting for its batch, null when it never reached a batch
 * @param computeMicros the batch's forward time, null when it never ran
 */
public record PredictionRecord(Instant receivedAt, String requestId, String api, String model, String version,
                               String keyHash, String clientAddress, String outcome, int httpStatus,
                               long latencyMicros, Long queueMicros, Long computeMicros, Integer batchRows,
                               String inputSha256, String outputSha256, String inputSample, String outputSample,
                               String serverName) {
}
