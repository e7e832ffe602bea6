package dev.seraphim.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One more Seraphim server for the scale-out tests: a copy of the test server's directory (configuration, keystore,
 * libraries; not its logs, work area or apps) with the EAR in dropins, its own ports, and the test server's
 * PostgreSQL and registry store, started and stopped with Liberty's own {@code server} script.
 */
final class Replica {
    private static final Path WLP = Path.of(System.getProperty("wlp.home"));

    final String name;
    final int port;
    private final Path dir;

    Replica(String name, int port) {
        this.name = name;
        this.port = port;
        this.dir = WLP.resolve("usr/servers/" + name);
    }

    /** Creates the server directory afresh from the test server's. */
    void create() throws IOException {
        deleteTree(dir);
        Path first = WLP.resolve("usr/servers/seraphim-it");
        Set<String> skip = Set.of("logs", "workarea", "dropins", "apps", "tranlog");
        Files.walkFileTree(first, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path rel = first.relativize(d);
                if (rel.getNameCount() > 0 && skip.contains(rel.getName(0).toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(dir.resolve(rel.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, dir.resolve(first.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
        Files.createDirectories(dir.resolve("dropins"));
        Files.copy(Path.of(System.getProperty("seraphim.it.ear")), dir.resolve("dropins/seraphim.ear"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Puts {@code ear} in place of the replica's EAR (stopped: Liberty expands and deploys it at the next start). */
    void install(Path ear) throws IOException {
        Files.copy(ear, dir.resolve("dropins/seraphim.ear"), StandardCopyOption.REPLACE_EXISTING);
        deleteTree(dir.resolve("apps/expanded"));
    }

    /** The version GET /v2 reports: the build of the EAR it runs. */
    String version() throws Exception {
        HttpResponse<String> r = Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2"))
                .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return Seraphim.json(r.body()).getString("version");
    }

    /** {@code server start}: returns once the JVM is launched; {@link #awaitReady} waits for readiness. */
    void start() throws Exception {
        start(java.util.Map.of());
    }

    /** {@code server start} with more environment (for example its own registry store). */
    void start(java.util.Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(WLP.resolve("bin/server").toString(), "start", name).inheritIO();
        pb.environment().put("SERAPHIM_HTTP_PORT", Integer.toString(port));
        pb.environment().put("SERAPHIM_HTTPS_PORT", Integer.toString(port + 400));
        pb.environment().put("SERAPHIM_GRPC_PORT", Integer.toString(port + 500));
        pb.environment().put("SERAPHIM_GRPC_TLS_PORT", "-1");
        pb.environment().put("SERAPHIM_DB_URL", "jdbc:postgresql://127.0.0.1:" + System.getenv("SERAPHIM_DB_EMBEDDED_PORT") + "/seraphim");
        pb.environment().put("SERAPHIM_DB_EMBEDDED_PORT", Integer.toString(port + 37));  // its own embedded database stays off
        pb.environment().put("SERAPHIM_SERVER_NAME", name);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(environment);
        if (pb.start().waitFor() != 0) {
            throw new IllegalStateException(name + " did not start; see " + dir.resolve("logs"));
        }
    }

    void awaitReady(Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + " did not become ready in " + patience + "; see " + dir.resolve("logs"));
    }

    boolean ready() {
        try {
            return Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | InterruptedException notYet) {
            return false;
        }
    }

    /** {@code server stop}: Liberty's graceful stop (the application's own shutdown: queues drained, audit written). */
    void stop() throws Exception {
        new ProcessBuilder(WLP.resolve("bin/server").toString(), "stop", name).inheritIO().start().waitFor(120, TimeUnit.SECONDS);
    }

    /** SIGKILL of the server's JVM, as an OOM killer or a node failure would. */
    void kill9() throws Exception {
        ProcessHandle jvm = ProcessHandle.allProcesses().filter(p -> {
            String cmd = p.info().commandLine().orElse("");
            return cmd.contains("ws-server") && cmd.matches(".*\\b" + name + "\\b.*");
        }).findFirst().orElseThrow(() -> new IllegalStateException("no JVM of " + name));
        jvm.destroyForcibly();
        jvm.onExit().get(30, TimeUnit.SECONDS);
    }

    /** SIGTERM to the server's JVM, as a container runtime or Kubernetes stops it; the JVM's handle, to await its exit. */
    ProcessHandle terminate() throws Exception {
        ProcessHandle jvm = jvm();
        new ProcessBuilder("kill", "-TERM", Long.toString(jvm.pid())).inheritIO().start().waitFor();
        return jvm;
    }

    private ProcessHandle jvm() {
        return ProcessHandle.allProcesses().filter(p -> {
            String cmd = p.info().commandLine().orElse("");
            return cmd.contains("ws-server") && cmd.matches(".*\\b" + name + "\\b.*");
        }).findFirst().orElseThrow(() -> new IllegalStateException("no JVM of " + name));
    }

    void delete() throws IOException {
        deleteTree(dir);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
