package dev.seraphim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The CPU that the server's JIT compiler threads use, from Linux's per-thread accounting
 * ({@code /proc/<pid>/task/<tid>/stat}). While the JIT still compiles the request path it holds a good part of one
 * of the two cores the load also wants, and throughput keeps rising; when the compilers fall quiet, it stops.
 */
final class CompilerThreads {
    private final Path tasks;
    private final double ticksPerSecond;
    private Map<String, Long> last = new HashMap<>();
    private long lastNanos;
    private boolean primed;

    private CompilerThreads(Path tasks, double ticksPerSecond) throws IOException {
        this.tasks = tasks;
        this.ticksPerSecond = ticksPerSecond;
        coresSinceLast();
    }

    /** The compiler threads of process {@code pid}, or empty where /proc does not show them (not Linux, no such process). */
    static Optional<CompilerThreads> of(long pid) {
        Path tasks = Path.of("/proc/" + pid + "/task");
        if (!Files.isDirectory(tasks)) {
            return Optional.empty();
        }
        try {
            CompilerThreads threads = new CompilerThreads(tasks, clockTicksPerSecond());
            return threads.last.isEmpty() ? Optional.empty() : Optional.of(threads);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Cores the compiler threads used on average since the previous call. Per thread, so that a compiler thread
     * HotSpot retires between two calls (it adds and removes them with the load) does not count as negative time.
     * Linux counts in ticks of 1/100 s, so a reading means something over seconds (the warm-up's windows are 5 s),
     * not over milliseconds.
     */
    double coresSinceLast() throws IOException {
        Map<String, Long> now = new HashMap<>();
        try (var threads = Files.list(tasks)) {
            for (Path t : threads.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    if (isCompiler(name(stat))) {
                        now.put(t.getFileName().toString(), cpuTicks(stat));
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended while we listed
                }
            }
        }
        long nanos = System.nanoTime();
        long ticks = 0;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            ticks += e.getValue() - last.getOrDefault(e.getKey(), 0L);
        }
        double seconds = (nanos - lastNanos) / 1e9;
        boolean first = !primed;
        primed = true;
        last = now;
        lastNanos = nanos;
        return first ? 0 : ticks / ticksPerSecond / seconds;
    }

    /** HotSpot's C1 and C2 threads (names cut to 15 characters by the kernel), or OpenJ9's JIT threads. */
    static boolean isCompiler(String threadName) {
        return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre") || threadName.startsWith("JIT Compilation");
    }

    /** The thread's name: field 2 of stat, in parentheses (it may itself hold spaces and parentheses). */
    static String name(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** User plus system time in clock ticks: fields 14 and 15 of stat, counted from the field after the name. */
    static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static double clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | NumberFormatException e) {
            // Linux's USER_HZ below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
