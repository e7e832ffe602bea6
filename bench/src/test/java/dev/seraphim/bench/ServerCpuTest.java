package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCpuTest {
    @Test
    void readsAProcesssCpuTimeAsItGrows() {
        ServerCpu self = ServerCpu.of(Optional.of(ProcessHandle.current().pid()));
        double before = self.seconds();
        long end = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) {
            sink += Math.sqrt(sink + 1);
        }
        double used = self.seconds() - before;
        assertTrue(sink > 0);
        assertTrue(used >= 0.2 && used < 5, "300 ms of spinning shows as about 0.3 CPU seconds, not " + used);
        assertTrue(Double.isNaN(ServerCpu.NONE.seconds()));
    }
}
