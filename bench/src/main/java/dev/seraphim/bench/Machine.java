package dev.seraphim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** What the figures were measured on: CPU, cores, memory, Java, the commit. */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe(Path root) {
        return Benchmark.map("date", Instant.now().toString(), "cpu", cpu(), "cores", Runtime.getRuntime().availableProcessors(),
                "memory_bytes", memory(), "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version"), "commit", commit(root));
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String commit(Path root) {
        try {
            Process p = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
