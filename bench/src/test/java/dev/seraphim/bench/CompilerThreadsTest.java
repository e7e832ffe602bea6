package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CompilerThreadsTest {
    // a compiler thread's stat line as Linux writes it (HotSpot 17 on this machine), utime 2010, stime 35
    private static final String C2 = "4242 (C2 CompilerThre) S 4100 4090 4090 0 -1 1077936192 58466 0 0 0 2010 35 0 0 20 0 38 0"
            + " 1180342 8427929600 145624 18446744073709551615 1 1 0 0 0 0 4 0 16384 0 0 0 -1 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

    @Test
    void readsTheNameAndTheUserAndSystemTicks() {
        assertEquals("C2 CompilerThre", CompilerThreads.name(C2));
        assertEquals(2045, CompilerThreads.cpuTicks(C2));
    }

    @Test
    void aNameWithParenthesesAndSpacesDoesNotShiftTheFields() {
        String odd = C2.replace("(C2 CompilerThre)", "(a (b) c) d)");
        assertEquals("a (b) c) d", CompilerThreads.name(odd));
        assertEquals(2045, CompilerThreads.cpuTicks(odd));
    }

    @Test
    void knowsTheCompilerThreadsByName() {
        assertTrue(CompilerThreads.isCompiler("C1 CompilerThre"));
        assertTrue(CompilerThreads.isCompiler("C2 CompilerThre"));
        assertTrue(CompilerThreads.isCompiler("JIT Compilation"));
        assertFalse(CompilerThreads.isCompiler("Default Executo"));
        assertFalse(CompilerThreads.isCompiler("java"));
    }

    @Test
    void findsThisJvmsOwnCompilerThreads() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
        Optional<CompilerThreads> jit = CompilerThreads.of(ProcessHandle.current().pid());
        assertTrue(jit.isPresent(), "HotSpot's compiler threads, by name, in /proc");
        // the kernel counts in ticks of 1/100 s: over half a second one tick is 0.02 of a core
        Thread.sleep(500);
        double cores = jit.get().coresSinceLast();
        assertTrue(cores >= 0 && cores <= Runtime.getRuntime().availableProcessors() + 0.1, "cores " + cores);
    }
}
