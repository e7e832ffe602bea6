package dev.seraphim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the server process's resident memory is, at one moment: its whole resident set, the part of it that is
 * the Java heap's pages, and the heap's committed size. RSS alone cannot tell a leak from a heap that a saturated
 * point grew: G1 commits regions at once but a region's pages become resident only when first written, so a heap
 * committed earlier in the run goes on adding resident pages during a quiet soak (run 20261203-190710: +4.43 %
 * of RSS over the soak, where a hand-run soak measured with Native Memory Tracking grew 1.15 %).
 *
 * <p>The heap's address range comes from {@code jcmd <pid> GC.heap_info}, its committed size from the server's
 * {@code memory_committedHeap_bytes}; its resident pages are
 * the {@code Rss} of the mappings in that range in {@code /proc/<pid>/smaps}. Without jcmd (or on another
 * collector's output) the heap figures are absent and only RSS is reported.
 */
record ServerMemory(double seconds, long rssBytes, Long heapCommittedBytes, Long heapResidentBytes, double javacppPhysicalBytes) {

    private static final Pattern HEAP = Pattern.compile("heap\\s+total (\\d+)K, used \\d+K \\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");

    /** Resident bytes outside the Java heap: native allocations (libtorch, malloc), metaspace, code, stacks. */
    Long outsideHeapBytes() {
        return heapResidentBytes == null ? null : rssBytes - heapResidentBytes;
    }

    /** The heap's committed kilobytes and its address range [from, to) as jcmd GC.heap_info prints them; empty if absent. */
    static Optional<long[]> heapRange(String heapInfo) {
        Matcher m = HEAP.matcher(heapInfo);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new long[]{Long.parseLong(m.group(1)) * 1024, Long.parseUnsignedLong(m.group(2), 16),
                Long.parseUnsignedLong(m.group(3), 16)});
    }

    /** Sum of the Rss of the mappings of {@code smaps} that lie inside [from, to), in bytes. */
    static long residentWithin(List<String> smaps, long from, long to) {
        long kb = 0;
        boolean inside = false;
        for (String line : smaps) {
            Matcher m = MAPPING.matcher(line);
            if (m.find()) {
                long start = Long.parseUnsignedLong(m.group(1), 16);
                long end = Long.parseUnsignedLong(m.group(2), 16);
                inside = Long.compareUnsigned(start, from) >= 0 && Long.compareUnsigned(end, to) <= 0;
            } else if (inside && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kb * 1024;
    }

    /**
     * The server's heap as {@link #heapRange} reads it, asked of jcmd once: the range never moves, and a jcmd per
     * sample would start a JVM on the two cores the soak measures.
     */
    static Optional<long[]> heapOf(ServerUnderTest server) throws IOException, InterruptedException {
        Optional<Long> pid = server.pid();
        return pid.isPresent() ? heapRange(jcmd(pid.get(), "GC.heap_info")) : Optional.empty();
    }

    /**
     * Samples the server now; {@code seconds} is where the sample lies in the soak, {@code heap} from {@link #heapOf}.
     * The committed size comes from the server's own gauge, on the same scrape as JavaCPP's bytes.
     */
    static ServerMemory sample(ServerUnderTest server, Optional<long[]> heap, double seconds) throws IOException, InterruptedException {
        long rss = server.rssBytes();
        double javacpp = server.metric("seraphim_native_physical_bytes");
        Long committed = null;
        Long resident = null;
        Optional<Long> pid = server.pid();
        if (heap.isPresent() && pid.isPresent()) {
            committed = (long) server.metric("memory_committedHeap_bytes");
            resident = residentWithin(Files.readAllLines(Path.of("/proc/" + pid.get() + "/smaps")), heap.get()[1], heap.get()[2]);
        }
        return new ServerMemory(seconds, rss, committed, resident, javacpp);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "";
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "";
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
