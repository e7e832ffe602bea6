package dev.seraphim.api.edge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SlowBodiesTest {
    /** A request whose body is in must not hold a place in its key's cap while it waits for its model. */
    @Test
    void aBodyReadToItsLengthNoLongerCountsAgainstItsKey() throws Exception {
        SlowBodies bodies = new SlowBodies();
        bodies.perKey = 1;
        bodies.graceSeconds = 10;
        bodies.minBytesPerSecond = 1024;
        bodies.tooMany = new Count();
        bodies.tooSlow = new Count();
        SlowBodies.Upload first = bodies.begin("key", 10);
        first.reading();
        first.read(4);
        first.reading();
        first.read(6);
        SlowBodies.Upload second = bodies.begin("key", 10);
        second.reading();
        second.read(3);
        assertNotNull(second, "the first body was read whole: a second may arrive");
        SlowBodies.Upload third = bodies.begin("key", 10);
        assertThrows(SlowBodies.TooManyBodiesException.class, third::reading, "the second still arrives: the cap of one is full");
        second.read(7);
        bodies.begin("key", 10).reading();
        assertEquals(1, ((Count) bodies.tooMany).getCount(), "the refusal is counted");
    }

    private static final class Count implements org.eclipse.microprofile.metrics.Counter {
        private long n;

        @Override
        public void inc() {
            n++;
        }

        @Override
        public void inc(long by) {
            n += by;
        }

        @Override
        public long getCount() {
            return n;
        }
    }
}
