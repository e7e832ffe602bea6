package dev.seraphim.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CPU time the server process has used (utime + stime of {@code /proc/<pid>/stat}), read at the start and
 * the end of a measured run: divided by the requests answered it gives the server's CPU per request, steadier
 * than requests/s on a shared 2-core machine, where the load generator and other tenants take cores too.
 */
final class ServerCpu {
    static final ServerCpu NONE = new ServerCpu(null, 1);

    private final Path stat;
    private final double ticksPerSecond;

    private ServerCpu(Path stat, double ticksPerSecond) {
        this.stat = stat;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** The process's CPU meter, or {@link #NONE} where /proc does not show it. */
    static ServerCpu of(Optional<Long> pid) {
        Optional<Path> stat = pid.map(p -> Path.of("/proc/" + p + "/stat")).filter(Files::exists);
        return stat.map(s -> new ServerCpu(s, CompilerThreads.clockTicksPerSecond())).orElse(NONE);
    }

    /** CPU seconds used so far, NaN without /proc. */
    double seconds() {
        if (stat == null) {
            return Double.NaN;
        }
        try {
            return CompilerThreads.cpuTicks(Files.readString(stat)) / ticksPerSecond;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
