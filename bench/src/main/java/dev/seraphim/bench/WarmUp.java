package dev.seraphim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's warm-up of one model before its points: load at 16 clients until the server's JIT compiler
 * threads fall quiet (or, without /proc, until the throughput stops rising).
 */
final class WarmUp {
    private final LoadGenerator load;
    private final ServerCpu cpu;
    private final boolean quick;

    WarmUp(LoadGenerator load, ServerCpu cpu, boolean quick) {
        this.load = load;
        this.cpu = cpu;
        this.quick = quick;
    }

    static final double WINDOW_SECONDS = 5;
    static final int WINDOWS_COMPARED = 6;
    static final double QUIET_COMPILER_CORES = 0.10;
    static final double LEAST_SECONDS_ON_COMPILER = 30;
    static final double LEAST_SECONDS_ON_THROUGHPUT = 60;
    static final double MOST_SECONDS = 300;
    static final double STEADY_RISE = 1.03;

    /** How {@link #run} decides, for the report. */
    static final String WARM_UP_RULE = String.format(Locale.ROOT, "each model ran at 16 clients in windows of %.0f s (half that with"
            + " --quick) until the median over the last %d windows of the CPU of the server's JIT compiler threads was at most %.2f"
            + " of a core (at least %.0f s, at most %.0f s; where /proc does not show those threads: until the median throughput of"
            + " the last %d windows was within %.0f %% of the %d before, at least %.0f s), then 10 s at one client",
            WINDOW_SECONDS, WINDOWS_COMPARED, QUIET_COMPILER_CORES, LEAST_SECONDS_ON_COMPILER, MOST_SECONDS, WINDOWS_COMPARED,
            (STEADY_RISE - 1) * 100, WINDOWS_COMPARED, LEAST_SECONDS_ON_THROUGHPUT);

    /**
     * Loads one model at 16 clients in windows until the server's JIT compiler threads fall quiet, then 10 s at one
     * client (an idle model runs a lone request on the request's own thread: a path of its own for the JIT). On a
     * slow day here a server still doubled its throughput between its first and its fourth minute under load,
     * Liberty's JIT compiling on the two cores the load also wants; throughput alone misled: tabular-mlp held
     * 600-870 req/s for a minute while C2 used 35-60 % of a core, then rose to 3 000 within 90 s as C2 fell to
     * under 10 %. Where /proc does not show the compiler threads, the throughput's medians decide. Returns the
     * windows, the compilers' cores per window and why it stopped.
     */
    Map<String, Object> run(ServerUnderTest server, ModelCase m, LoadRequest request) throws Exception {
        double window = quick ? WINDOW_SECONDS / 2 : WINDOW_SECONDS;
        Optional<CompilerThreads> jit = server.pid().flatMap(CompilerThreads::of);
        double least = quick ? 5 : jit.isPresent() ? LEAST_SECONDS_ON_COMPILER : LEAST_SECONDS_ON_THROUGHPUT;
        double most = quick ? 10 : MOST_SECONDS;
        List<Double> windows = new ArrayList<>();
        List<Double> compiler = new ArrayList<>();
        String stopped = "time limit";
        // CompilerThreads.of took the first reading just now: the first window's compiler CPU counts from here
        for (double spent = 0; spent < most; spent += window) {
            windows.add(load.run(request, 16, 0, window, cpu).requestsPerSecond());
            if (jit.isPresent()) {
                compiler.add(jit.get().coresSinceLast());
            }
            boolean done = jit.isPresent() ? compilerQuiet(compiler) : steady(windows);
            if (spent + window >= least && done) {
                stopped = jit.isPresent() ? "compiler threads quiet" : "throughput steady";
                break;
            }
        }
        load.run(request, 1, 0, quick ? 2 : 10, cpu);
        Benchmark.log(String.format(Locale.ROOT, "  %s warm after %.0f s at 16 clients (%s): %s req/s, compiler cores %s", m.name(), windows.size() * window,
                stopped, ReportMarkdown.rounded(windows, "%.0f"), ReportMarkdown.rounded(compiler, "%.2f")));
        return Benchmark.map("requests_per_second", windows, "compiler_cores", compiler, "stopped", stopped);
    }

    /** Whether the median of the compiler threads' cores over the last windows is at most {@link #QUIET_COMPILER_CORES}. */
    static boolean compilerQuiet(List<Double> compilerCores) {
        int n = compilerCores.size();
        return n >= WINDOWS_COMPARED && median(compilerCores, n - WINDOWS_COMPARED, n) <= QUIET_COMPILER_CORES;
    }

    /** Whether the median throughput of the last windows is at most {@link #STEADY_RISE} times the median of the windows before them. */
    static boolean steady(List<Double> windows) {
        int n = windows.size();
        int k = WINDOWS_COMPARED;
        return n >= 2 * k && median(windows, n - k, n) <= STEADY_RISE * median(windows, n - 2 * k, n - k);
    }

    static double median(List<Double> values, int from, int to) {
        double[] v = values.subList(from, to).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
