package dev.seraphim.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fuzzer generated from the served OpenAPI document, as an outsider's fuzzer works: every operation it
 * declares, in turn, with path parameters that traverse, mis-encode or overflow, the declared query parameters
 * with values of the wrong type, and bodies that are random, truncated, nested 10 000 deep, with huge numbers,
 * invalid UTF-8 or the wrong content type; duplicate and conflicting headers; and on raw sockets malformed
 * chunked framing and conflicting Content-Lengths. No answer may be a 5xx other than a deliberate 503, or carry
 * a stack, a Java class name or a file path; afterwards the server is ready, exact, and its resident size bounded.
 * FUZZ_SEED and FUZZ_REQUESTS replay or lengthen a run (docs/reliability.md).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenApiFuzzIT {
    private static final long DEFAULT_SEED = 20261206L;
    private static final int DEFAULT_REQUESTS = 10_000;
    private static final Pattern LEAK = Pattern.compile(
            "(?s).*(\tat |Exception:|RESTEASY|\\b(java|javax|jakarta|dev\\.seraphim|org\\.jboss|com\\.ibm)\\.[a-z0-9_]+\\.[A-Za-z]"
                    + "|/work/|/home/|/root/|/tmp/|\\.java:\\d).*");
    private static final String VALID_OIP = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":["
            + "0.5,".repeat(15) + "0.5]}]}";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    /** One operation of the document: its method, path template and declared query parameters. */
    record Operation(String method, String path, List<String> query) {
    }

    @Test
    void everyOperationOfTheOpenApiDocumentSurvivesMalformedRequests() throws Exception {
        long seed = Long.parseLong(System.getenv().getOrDefault("FUZZ_SEED", Long.toString(DEFAULT_SEED)));
        int requests = Integer.parseInt(System.getenv().getOrDefault("FUZZ_REQUESTS", Integer.toString(DEFAULT_REQUESTS)));
        System.out.println("OpenApiFuzzIT seed " + seed + ", " + requests + " requests");
        Random random = new Random(seed);
        List<Operation> operations = operations();
        assertTrue(operations.size() >= 40, "the document declares the API's operations: " + operations.size());
        String admin = SecurityIT.createKey("{\"name\":\"openapi-fuzz-admin\",\"role\":\"admin\",\"rate_per_second\":100000,\"burst\":100000}").getString("secret");
        String client = SecurityIT.createKey("{\"name\":\"openapi-fuzz-client\",\"role\":\"client\",\"rate_per_second\":100000,\"burst\":100000}").getString("secret");
        long rssBefore = serverRssKiB();
        List<String> failures = new ArrayList<>();
        TreeMap<Integer, Integer> statuses = new TreeMap<>();
        int sent = 0;
        for (int i = 0; i < requests; i++) {
            Operation op = operations.get(i % operations.size());
            String target = fill(op, random);
            String key = switch (random.nextInt(10)) {
                case 0 -> null;
                case 1, 2 -> client;
                default -> admin;
            };
            byte[] body = body(random);
            String type = contentType(random);
            int status;
            String text;
            if (random.nextInt(20) == 0) {
                String answer = rawFraming(op.method(), target, key, random);
                if (answer.isEmpty()) {
                    continue; // the server closed the connection without an answer: allowed for broken framing
                }
                status = statusOf(answer);
                text = answer;
            } else {
                HttpRequest.Builder b;
                try {
                    b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + System.getProperty("seraphim.it.port", "18080") + target))
                            .timeout(Duration.ofSeconds(60));
                } catch (IllegalArgumentException e) {
                    continue; // a target Java's client refuses; the raw-socket strategies send such targets
                }
                if (key != null) {
                    b.header("Authorization", "Bearer " + key);
                }
                if (type != null) {
                    b.header("Content-Type", type);
                }
                headers(b, random);
                boolean withBody = body != null && !op.method().equals("GET") && !op.method().equals("DELETE");
                b.method(op.method(), withBody ? HttpRequest.BodyPublishers.ofByteArray(body) : HttpRequest.BodyPublishers.noBody());
                HttpResponse<String> r;
                try {
                    r = Seraphim.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                status = r.statusCode();
                text = r.headers().map() + " " + (r.body() == null ? "" : r.body());
            }
            sent++;
            statuses.merge(status, 1, Integer::sum);
            if ((status >= 500 && status != 503) || LEAK.matcher(text).matches()) {
                if (failures.size() < 25) {
                    failures.add(op.method() + " " + target + " [" + type + "] " + (body == null ? 0 : body.length) + " bytes -> "
                            + status + " " + text.substring(0, Math.min(400, text.length())));
                }
            }
        }
        System.out.println("OpenApiFuzzIT: " + sent + " requests over " + operations.size() + " operations, statuses " + statuses);
        assertTrue(failures.isEmpty(), "seed " + seed + ": bad answers, e.g.\n" + String.join("\n", failures));
        assertTrue(sent >= requests * 9 / 10, "sent " + sent + " of " + requests);

        assertEquals(200, Seraphim.awaitReady().statusCode(), "healthy after the fuzz");
        HttpResponse<String> ok = Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer", VALID_OIP));
        assertEquals(200, ok.statusCode(), ok.body());
        long rssAfter = serverRssKiB();
        System.out.println("OpenApiFuzzIT: server RSS " + rssBefore / 1024 + " MiB before, " + rssAfter / 1024 + " MiB after");
        if (rssBefore > 0) {
            // the heap may grow toward -Xmx1g under the fuzz; anything beyond that is a leak
            assertTrue(rssAfter - rssBefore < 768 * 1024, "RSS grew from " + rssBefore + " to " + rssAfter + " KiB");
        }
    }

    /** Every method of every path of the served document (/openapi, as JSON). */
    private static List<Operation> operations() throws Exception {
        HttpResponse<String> doc = Seraphim.get("/openapi?format=JSON");
        assertEquals(200, doc.statusCode(), doc.body());
        JsonObject paths = Seraphim.json(doc.body()).getJsonObject("paths");
        List<Operation> ops = new ArrayList<>();
        for (String path : paths.keySet()) {
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.keySet()) {
                if (!List.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                    continue;
                }
                List<String> query = new ArrayList<>();
                JsonValue params = item.getJsonObject(method).get("parameters");
                if (params instanceof JsonArray a) {
                    for (JsonValue p : a) {
                        if ("query".equals(p.asJsonObject().getString("in", ""))) {
                            query.add(p.asJsonObject().getString("name"));
                        }
                    }
                }
                ops.add(new Operation(method.toUpperCase(Locale.ROOT), path, query));
            }
        }
        return ops;
    }

    /** The path with its parameters filled (never a model other tests use), and mutated query parameters. */
    private static String fill(Operation op, Random random) {
        StringBuilder out = new StringBuilder();
        String[] parts = op.path().split("(?=\\{)|(?<=\\})");
        for (String part : parts) {
            out.append(part.startsWith("{") ? pathValue(random) : part);
        }
        if (!op.query().isEmpty() && random.nextInt(3) > 0) {
            out.append('?');
            for (String q : op.query()) {
                if (random.nextBoolean()) {
                    out.append(q).append('=').append(queryValue(random)).append('&');
                }
            }
        }
        return out.toString();
    }

    private static String pathValue(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> "..%2f..%2f..%2fetc%2fpasswd";
            case 1 -> "%2e%2e";
            case 2 -> "a".repeat(129 + random.nextInt(300));
            case 3 -> "%00";
            case 4 -> "%ff%fe";
            case 5 -> "%E5%90%8D%E5%89%8D";
            case 6 -> "x;y=z";
            case 7 -> "-1";
            case 8 -> "9".repeat(65);
            case 9 -> "%7B%7D";
            default -> "fuzz-none";
        };
    }

    private static String queryValue(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> "abc";
            case 1 -> "-1";
            case 2 -> "99999999999999999999999";
            case 3 -> "1e309";
            case 4 -> "%00";
            case 5 -> "%ff";
            case 6 -> "file%3A..%2F..%2Fetc%2Fpasswd";
            case 7 -> "x".repeat(5000);
            case 8 -> "";
            default -> Integer.toString(random.nextInt(200));
        };
    }

    private static String contentType(Random random) {
        String[] types = {"application/json", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x",
                "multipart/form-data", "application/x-www-form-urlencoded", "application/json; charset=latin1",
                "application/problem+json", "image/jpeg", "*/*", "application/json; charset=\"\u00ff\""};
        int pick = random.nextInt(types.length + 2);
        return pick >= types.length ? null : types[pick];
    }

    private static void headers(HttpRequest.Builder b, Random random) {
        switch (random.nextInt(8)) {
            case 0 -> b.header("X-Request-Id", "a").header("X-Request-Id", "b".repeat(300));
            case 1 -> b.header("Accept", "application/xml");
            case 2 -> b.header("Accept", "*/*").header("Accept", "text/html");
            case 3 -> b.header("Inference-Header-Content-Length", Integer.toString(random.nextInt(1 << 20) - 1000));
            case 4 -> b.header("traceparent", "00-" + "f".repeat(32) + "-" + "0".repeat(16) + "-01").header("traceparent", "junk");
            case 5 -> b.header("Authorization", "Basic " + "x".repeat(random.nextInt(100)));
            default -> {
            }
        }
    }

    private static byte[] body(Random random) {
        return switch (random.nextInt(11)) {
            case 0 -> null;
            case 1 -> {
                byte[] bytes = new byte[random.nextInt(8192)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 2 -> ("{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}").getBytes(StandardCharsets.US_ASCII);
            case 3 -> ("{\"version\":1e999999,\"max_batch_size\":" + "9".repeat(400) + ",\"limit\":-1e-999999}").getBytes(StandardCharsets.US_ASCII);
            case 4 -> VALID_OIP.substring(0, random.nextInt(VALID_OIP.length())).getBytes(StandardCharsets.US_ASCII);
            case 5 -> new byte[]{'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
            case 6 -> ("{\"name\":\"" + "n".repeat(random.nextInt(400)) + "\",\"role\":\"client\",\"batching\":{\"max_batch_size\":"
                    + (random.nextInt(3) - 1) + "}}").getBytes(StandardCharsets.US_ASCII);
            case 7 -> "{\"version\":\"1\"} trailing".getBytes(StandardCharsets.US_ASCII);
            case 8 -> "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x".getBytes(StandardCharsets.US_ASCII);
            case 9 -> "[[1,2,3],[4,5]]".getBytes(StandardCharsets.US_ASCII);
            default -> VALID_OIP.getBytes(StandardCharsets.US_ASCII);
        };
    }

    /** A request Java's client will not write: broken chunks, conflicting lengths, a body shorter than announced. */
    private static String rawFraming(String method, String target, String key, Random random) throws Exception {
        String auth = key == null ? "" : "Authorization: Bearer " + key + "\r\n";
        String head = method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nConnection: close\r\n";
        String request = switch (random.nextInt(5)) {
            case 0 -> head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
            case 1 -> head + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\nffffffffffffffff\r\n";
            case 2 -> head + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}";
            case 3 -> head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
            default -> head + "Content-Length: 50\r\n\r\n{\"short\":";
        };
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(System.getProperty("seraphim.it.port", "18080")))) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }

    private static int statusOf(String answer) {
        String[] first = answer.split("\r\n", 2)[0].split(" ");
        return first.length > 1 && first[1].matches("\\d{3}") ? Integer.parseInt(first[1]) : 999;
    }

    /** The test server's resident size from /proc, or 0 where it cannot be found. */
    static long serverRssKiB() {
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(x -> x.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                    if (cmd.contains("ws-server.jar") && cmd.contains("seraphim-it")) {
                        for (String line : Files.readAllLines(p.resolve("status"))) {
                            if (line.startsWith("VmRSS:")) {
                                return Long.parseLong(line.replaceAll("[^0-9]", ""));
                            }
                        }
                    }
                } catch (java.io.IOException gone) {
                    // a process that ended while the list was read
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }
}
