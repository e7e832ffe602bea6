package dev.seraphim.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module edges and package structure docs/architecture.md draws, checked on the sources of the three server
 * modules (this module's siblings in the checkout): no package cycles, web-api reaching nothing of batch-jobs,
 * native handles only in ejb-inference, and no main class over 400 lines.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> MODULES = List.of("ejb-inference", "web-api", "batch-jobs");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.seraphim(?:\\.[a-z]\\w*)+)\\.[A-Z]\\w*");

    private record Source(String module, Path file, String pkg, String text) {
    }

    private static List<Source> sources() throws IOException {
        List<Source> all = new ArrayList<>();
        for (String module : MODULES) {
            Path dir = ROOT.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    Matcher m = PACKAGE.matcher(text);
                    assertTrue(m.find(), f + " has a package");
                    all.add(new Source(module, f, m.group(1), text));
                }
            }
        }
        return all;
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        List<Source> all = sources();
        Set<String> packages = new HashSet<>();
        all.forEach(s -> packages.add(s.pkg()));
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Source s : all) {
            Matcher m = REFERENCE.matcher(s.text());
            while (m.find()) {
                String target = m.group(1);
                if (packages.contains(target) && !target.equals(s.pkg())) {
                    edges.computeIfAbsent(s.pkg(), k -> new TreeSet<>()).add(target);
                }
            }
        }
        List<Set<String>> cycles = stronglyConnected(packages, edges).stream().filter(c -> c.size() > 1).toList();
        assertEquals(List.of(), cycles, "package cycles");
    }

    @Test
    void webApiReachesNothingOfTheBatchJobs() throws IOException {
        List<String> offenders = sources().stream()
                .filter(s -> s.module().equals("web-api") && s.text().contains("dev.seraphim.jobs."))
                .map(s -> s.file().getFileName().toString()).toList();
        assertEquals(List.of(), offenders, "web-api files that import batch-jobs");
    }

    /** The web tier runs requests through the inference boundary and reads status through ServingStatus, nothing else of the engine. */
    @Test
    void webApiReachesTheEngineOnlyThroughItsBoundary() throws IOException {
        Pattern engine = Pattern.compile("dev\\.seraphim\\.inference\\.(?:engine|batching)\\.([A-Z]\\w*)");
        Set<String> boundary = Set.of("InferenceGate", "ModelTarget", "GpuMemory");
        List<String> offenders = new ArrayList<>();
        for (Source s : sources()) {
            Matcher m = engine.matcher(s.text());
            while (s.module().equals("web-api") && m.find()) {
                if (!boundary.contains(m.group(1))) {
                    offenders.add(s.file().getFileName() + " -> " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), offenders, "web-api files reaching engine internals");
    }

    @Test
    void nativeHandlesAreOwnedInTheEngineModule() throws IOException {
        List<String> offenders = sources().stream()
                .filter(s -> !s.module().equals("ejb-inference") && s.text().contains("import org.bytedeco.pytorch"))
                .map(s -> s.module() + "/" + s.file().getFileName()).toList();
        assertEquals(List.of(), offenders, "libtorch used outside ejb-inference");
    }

    @Test
    void noMainClassIsLongerThan400Lines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        MODULES.forEach(m -> dirs.add(ROOT.resolve(m).resolve("src/main/java")));
        dirs.add(ROOT.resolve("bench/src/main/java"));
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    long lines = Files.readAllLines(f).size();
                    if (lines > 400) {
                        tooLong.add(f.getFileName() + " " + lines);
                    }
                }
            }
        }
        assertEquals(List.of(), tooLong, "main classes over 400 lines");
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> stronglyConnected(Set<String> nodes, Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String n : new TreeSet<>(nodes)) {
            if (!index.containsKey(n)) {
                visit(n, edges, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Set<String>> edges, Map<String, Integer> index, Map<String, Integer> low,
                              Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                visit(w, edges, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
