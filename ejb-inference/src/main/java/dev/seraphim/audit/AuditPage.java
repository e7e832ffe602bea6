package dev.seraphim.audit;

import java.util.List;
import java.util.Optional;

/** One page of prediction audit records, newest first, and where the next page starts (empty on the last). */
public record AuditPage(List<StoredPrediction> records, Optional<AuditQuery.Cursor> next) {

    /** A record as read back: its row id and what was written. */
    public record StoredPrediction(long id, PredictionRecord record) {
    }
}
