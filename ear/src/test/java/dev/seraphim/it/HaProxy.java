package dev.seraphim.it;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy in front of the replicas, health-checking readiness every 500 ms (down after 2 failures, up after 2
 * passes), retrying a refused connection on another replica, with its runtime API on a UNIX socket for draining a
 * replica as an operator does before a restart. Installed from Debian's packages when missing and the tests run as
 * root (as CI does); elsewhere the test is skipped, saying why.
 */
final class HaProxy implements AutoCloseable {
    static final String BACKEND = "replicas";

    private final Process process;
    private final Path socket;
    private final Path dir;

    private HaProxy(Process process, Path socket, Path dir) {
        this.process = process;
        this.socket = socket;
        this.dir = dir;
    }

    static HaProxy start(int port, List<Replica> replicas) throws Exception {
        String binary = binary();
        Path dir = Files.createTempDirectory("seraphim-haproxy");
        Path socket = dir.resolve("admin.sock");
        StringBuilder cfg = new StringBuilder()
                .append("global\n  stats socket ").append(socket).append(" mode 600 level admin\n  maxconn 4000\n")
                .append("defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n")
                .append("  retries 3\n  option redispatch\n")
                .append("frontend seraphim\n  bind 127.0.0.1:").append(port).append("\n  default_backend ").append(BACKEND).append('\n')
                .append("backend ").append(BACKEND).append("\n  balance roundrobin\n  option httpchk GET /health/ready\n")
                .append("  http-check expect status 200\n  default-server inter 500 fall 2 rise 2\n");
        for (Replica r : replicas) {
            cfg.append("  server ").append(r.name).append(" 127.0.0.1:").append(r.port).append(" check\n");
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg.toString());
        Process p = new ProcessBuilder(binary, "-f", file.toString(), "-db").redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(100);
        }
        if (!p.isAlive() || !Files.exists(socket)) {
            throw new IllegalStateException("haproxy did not start: " + Files.readString(dir.resolve("haproxy.log")));
        }
        return new HaProxy(p, socket, dir);
    }

    private static String binary() throws Exception {
        return DebianPackages.ensure("/usr/sbin/haproxy", "haproxy", "the scale-out drill");
    }

    /** One command of HAProxy's runtime API; its answer. */
    String command(String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    /** A replica's status ("UP", "DOWN", "DRAIN", "MAINT", "UP 1/2", …) and current sessions, from {@code show stat}. */
    Map<String, String> stat(String server) throws IOException {
        String[] lines = command("show stat").split("\n");
        String[] header = lines[0].replaceFirst("^# ", "").split(",");
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            if (cells.length > 1 && cells[0].equals(BACKEND) && cells[1].equals(server)) {
                Map<String, String> row = new HashMap<>();
                for (int i = 0; i < header.length && i < cells.length; i++) {
                    row.put(header[i], cells[i]);
                }
                return row;
            }
        }
        throw new IllegalStateException("haproxy has no server " + server);
    }

    String status(String server) throws IOException {
        return stat(server).get("status");
    }

    int sessions(String server) throws IOException {
        return Integer.parseInt(stat(server).get("scur"));
    }

    void state(String server, String state) throws IOException {
        String answer = command("set server " + BACKEND + "/" + server + " state " + state);
        if (!answer.isBlank()) {
            throw new IllegalStateException("haproxy: " + answer);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
