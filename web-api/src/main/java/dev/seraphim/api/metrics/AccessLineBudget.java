package dev.seraphim.api.metrics;

/**
 * How many access lines of failed requests the log takes per second. During a 60 s overload one line per
 * refused request (about 680 bytes each) wrote 71 000 lines and rolled messages.log over, deleting the start-up
 * log. Past the budget, lines are counted instead of written, and the count is logged once per window as a
 * summary: every request is still counted in seraphim_inference_requests_total and in the audit trail.
 */
final class AccessLineBudget {
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final int perWindow;
    private long windowStart = System.nanoTime();
    private int written;
    private long suppressed;

    /** {@code perSecond} lines a second on average, over windows of ten seconds. */
    AccessLineBudget(int perSecond) {
        this.perWindow = Math.max(0, perSecond) * 10;
    }

    /** The decision for one line: write it (with, first, the summary of the window before when it had one), or not. */
    record Decision(boolean write, long suppressedBefore) {
    }

    synchronized Decision take(long now) {
        long before = 0;
        if (now - windowStart >= WINDOW_NANOS) {
            before = suppressed;
            suppressed = 0;
            written = 0;
            windowStart = now;
        }
        if (written < perWindow) {
            written++;
            return new Decision(true, before);
        }
        suppressed++;
        return new Decision(false, before);
    }
}
