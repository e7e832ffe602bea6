package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for the tests: Debian's chromium, headless, driven over the DevTools protocol with the JDK's own
 * WebSocket client (no driver to install). Installed from Debian's packages when missing and the tests run as root,
 * as CI does; elsewhere without chromium the browser tests are skipped, saying why.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static Chromium start() throws Exception {
        String binary = binary();
        Path profile = Files.createTempDirectory("seraphim-chromium");
        Process p = new ProcessBuilder(binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--ignore-certificate-errors", "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=1400,900",
                "about:blank").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String browserSocket = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String line; browserSocket == null && System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            Matcher m = DEVTOOLS.matcher(line);
            if (m.find()) {
                browserSocket = m.group(1);
            }
        }
        if (browserSocket == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not open its DevTools port");
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // chromium's own chatter
                }
            } catch (IOException ignored) {
                // closed
            }
        });
        drain.setDaemon(true);
        drain.start();
        URI http = URI.create(browserSocket.replaceFirst("^ws://", "http://").replaceFirst("/devtools/.*$", "/json/list"));
        HttpResponse<String> targets = HttpClient.newHttpClient().send(HttpRequest.newBuilder(http).build(), HttpResponse.BodyHandlers.ofString());
        String page = Json.createReader(new StringReader(targets.body())).readArray().stream().map(v -> v.asJsonObject())
                .filter(t -> t.getString("type").equals("page")).findFirst().orElseThrow().getString("webSocketDebuggerUrl");
        Chromium[] self = new Chromium[1];
        StringBuilder frame = new StringBuilder();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    JsonObject message;
                    try (JsonReader r = Json.createReader(new StringReader(frame.toString()))) {
                        message = r.readObject();
                    }
                    frame.setLength(0);
                    if (message.containsKey("id") && self[0] != null) {
                        CompletableFuture<JsonObject> f = self[0].pending.remove(message.getInt("id"));
                        if (f != null) {
                            f.complete(message);
                        }
                    }
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new Chromium(p, profile, ws);
        return self[0];
    }

    private static String binary() throws Exception {
        return DebianPackages.ensure("/usr/bin/chromium", "chromium", "the browser check");
    }

    /** One DevTools command; its result. */
    JsonObject call(String method, JsonObjectBuilder params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(Json.createObjectBuilder().add("id", id).add("method", method).add("params", params).build().toString(), true)
                .get(10, TimeUnit.SECONDS);
        JsonObject message = answer.get(30, TimeUnit.SECONDS);
        if (message.containsKey("error")) {
            throw new IllegalStateException(method + ": " + message.getJsonObject("error"));
        }
        return message.getJsonObject("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Json.createObjectBuilder().add("url", url));
    }

    /** A JavaScript expression's value as text ("" for null or undefined). */
    String evaluate(String expression) throws Exception {
        JsonObject result = call("Runtime.evaluate", Json.createObjectBuilder().add("expression", expression)
                .add("returnByValue", true)).getJsonObject("result");
        return result.containsKey("value") ? result.get("value").toString().replaceAll("^\"|\"$", "") : "";
    }

    /** Waits until the expression is true; false when it never was. */
    boolean await(String expression, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if ("true".equals(evaluate("!!(" + expression + ")"))) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    void screenshot(Path file) throws Exception {
        String png = call("Page.captureScreenshot", Json.createObjectBuilder().add("format", "png")).getString("data");
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
