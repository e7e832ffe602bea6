package dev.seraphim.traffic;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many unversioned requests each version of a model with a traffic policy took over the last minutes: one
 * counter per version and minute, in a ring of {@link #MINUTES}, so that the policy's GET shows the live split.
 */
public final class TrafficShares {
    public static final int MINUTES = 5;

    private final Map<String, Map<String, Ring>> counts = new ConcurrentHashMap<>();

    public void count(String model, String version) {
        counts.computeIfAbsent(model, m -> new ConcurrentHashMap<>()).computeIfAbsent(version, v -> new Ring()).add(System.currentTimeMillis() / 60_000);
    }

    /** Requests per version over the last {@link #MINUTES} minutes (the current one included). */
    public Map<String, Long> lastMinutes(String model) {
        Map<String, Long> out = new TreeMap<>();
        long now = System.currentTimeMillis() / 60_000;
        counts.getOrDefault(model, Map.of()).forEach((v, ring) -> out.put(v, ring.sum(now)));
        return out;
    }

    /** Per slot one long: the minute in its high half, that minute's count in its low half, changed by compare-and-set. */
    private static final class Ring {
        private final AtomicLongArray slots = new AtomicLongArray(MINUTES);

        void add(long minute) {
            int slot = (int) (minute % MINUTES);
            while (true) {
                long seen = slots.get(slot);
                // a new minute takes over the slot of one five minutes old, starting from 1
                long next = seen >>> 32 == minute ? seen + 1 : (minute << 32) | 1;
                if (slots.compareAndSet(slot, seen, next)) {
                    return;
                }
            }
        }

        long sum(long now) {
            long sum = 0;
            for (int i = 0; i < MINUTES; i++) {
                long v = slots.get(i);
                if (now - (v >>> 32) < MINUTES) {
                    sum += v & 0xffff_ffffL;
                }
            }
            return sum;
        }
    }
}
