package dev.seraphim.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL the test server started for itself, found by its port among this machine's processes, so that
 * a test can take it away (fast shutdown) and bring it back exactly as it was started (same binary, arguments
 * and user): a real outage, not a mocked one.
 */
final class EmbeddedDatabase {
    private final long pid;
    private final List<String> command;
    private final String owner;

    private EmbeddedDatabase(long pid, List<String> command, String owner) {
        this.pid = pid;
        this.command = command;
        this.owner = owner;
    }

    static EmbeddedDatabase onPort(int port) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                Optional<List<String>> argv = argv(proc);
                if (argv.isPresent() && argv.get().get(0).endsWith("/postgres") && argv.get().contains("-D")
                        && String.join(" ", argv.get()).contains("-p " + port)) {
                    String owner = Files.getOwner(proc).getName();
                    return new EmbeddedDatabase(Long.parseLong(proc.getFileName().toString()), argv.get(), owner);
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL postmaster listening on port " + port + " on this machine");
    }

    private static Optional<List<String>> argv(Path proc) {
        try {
            String raw = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8);
            if (raw.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ArrayList<>(Arrays.asList(raw.split("\0"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Fast shutdown (SIGINT), waiting until the postmaster is gone. */
    void stop() throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
        kill.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.exists(Path.of("/proc", Long.toString(pid))) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (Files.exists(Path.of("/proc", Long.toString(pid)))) {
            throw new IllegalStateException("PostgreSQL (pid " + pid + ") did not stop");
        }
    }

    /** SIGKILL of the postmaster, as an OOM killer or an operator's kill -9 would, waiting until it is gone. */
    void kill9() throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(Path.of("/proc", Long.toString(pid))) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** SIGSTOP (freeze) or SIGCONT (thaw) to the postmaster and every process it started: a hung database host. */
    void signalAll(String signal) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(pid)));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    for (String line : Files.readAllLines(proc.resolve("status"))) {
                        if (line.startsWith("PPid:") && line.substring(5).trim().equals(Long.toString(pid))) {
                            cmd.add(proc.getFileName().toString());
                        }
                    }
                } catch (IOException gone) {
                    // the process ended while the list was read
                }
            }
        }
        new ProcessBuilder(cmd).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the postmaster again with its original command line and user, detached from this JVM. */
    void start(File log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        if (!owner.equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("runuser", "-u", owner, "--"));
        }
        cmd.addAll(command);
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }
}
