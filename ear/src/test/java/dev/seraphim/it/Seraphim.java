package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The application under test: the EAR the build produced, and HTTP calls against the managed Liberty. */
final class Seraphim {
    /** Trusts the test server's self-signed development certificate (TransportSecurityIT checks the certificate). */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(trustingTls()).build();

    private static javax.net.ssl.SSLContext trustingTls() {
        try {
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return tls;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Seraphim() {
    }

    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("seraphim.it.ear")));
    }

    /** /metrics needs a key and so is served over HTTPS only (Liberty redirects HTTP); everything else over HTTP. */
    static URI uri(String path) {
        return path.startsWith("/metrics")
                ? URI.create("https://127.0.0.1:" + System.getProperty("seraphim.it.https.port", "18443") + path)
                : URI.create("http://127.0.0.1:" + System.getProperty("seraphim.it.port", "18080") + path);
    }

    /** The test server's bootstrap admin key (SERAPHIM_BOOTSTRAP_ADMIN_KEY in the failsafe configuration). */
    static final String ADMIN_KEY = System.getProperty("seraphim.it.admin.key");

    /** A request to the test server, authenticated with the admin key. */
    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_KEY);
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest post(String path, String body) {
        return request(path).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** /health/ready once it answers 200 (readiness may be DOWN for a moment after another test's burst). */
    static HttpResponse<String> awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> ready = get("/health/ready");
        while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            ready = get("/health/ready");
        }
        return ready;
    }

    /** One named check of a MicroProfile Health answer. */
    static JsonObject healthCheck(String health, String name) {
        for (jakarta.json.JsonValue c : json(health).getJsonArray("checks")) {
            if (c.asJsonObject().getString("name").equals(name)) {
                return c.asJsonObject();
            }
        }
        throw new AssertionError("no " + name + " check in " + health);
    }

    /**
     * Every line of every generation of the test server's messages.log (it rolls over during the suite), read as
     * ISO-8859-1: lines logged about fuzzed requests need not be UTF-8.
     */
    static List<String> logLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(Path.of(System.getProperty("wlp.home"), "usr/servers/seraphim-it/logs"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("messages")).toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
            }
        }
        return lines;
    }

    static JsonObject json(String body) {
        try (JsonReader r = Json.createReader(new StringReader(body))) {
            return r.readObject();
        }
    }
}
