package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS with the development keystore generated at first start (and said so in the log), the Admin Center only
 * over HTTPS and only for its admin, and Liberty's /metrics guarded by Seraphim's own API keys (operator or
 * admin role) through the server's trust association.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TransportSecurityIT {
    private static final String HTTPS = "https://127.0.0.1:" + System.getProperty("seraphim.it.https.port", "18443");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    private static HttpClient trustingClient() {
        return HttpClient.newBuilder().sslContext(Seraphim.HTTP.sslContext()).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static HttpResponse<String> https(HttpClient client, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(HTTPS + path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsServesTheApiWithTheGeneratedDevelopmentCertificateAndTheLogSaysSo() throws Exception {
        HttpClient client = trustingClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> ready = null;
        while (System.nanoTime() < deadline) {
            try {
                ready = https(client, "/health/ready");
                break;
            } catch (java.io.IOException notYet) {
                Thread.sleep(500); // the HTTPS port opens once Liberty has read the generated drop-in
            }
        }
        assertTrue(ready != null, "the HTTPS port opened");
        assertEquals(200, ready.statusCode(), ready.body());
        SSLSession session = ready.sslSession().orElseThrow();
        X509Certificate cert = (X509Certificate) session.getPeerCertificates()[0];
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal(), "a self-signed development certificate");

        HttpResponse<String> models = https(client, "/api/v1/models", "Authorization", "Bearer " + Seraphim.ADMIN_KEY);
        assertEquals(200, models.statusCode(), models.body());
        assertEquals(401, https(client, "/api/v1/models").statusCode());

        boolean said = Seraphim.logLines().stream().anyMatch(l -> l.contains("SELF-SIGNED DEVELOPMENT"));
        assertTrue(said, "the log says the keystore is for development");
        Path dropIn = Path.of(System.getProperty("wlp.home"), "usr/servers/seraphim-it/configDropins/overrides/seraphim-development-keystore.xml");
        assertTrue(Files.exists(dropIn));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dropIn)));
    }

    @Test
    void theAdminCenterIsHttpsOnlyAndAdminOnly() throws Exception {
        HttpClient client = trustingClient();
        // over HTTP the console is never served: the container sends the browser to HTTPS
        HttpResponse<String> plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build().send(
                HttpRequest.newBuilder(Seraphim.uri("/adminCenter/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(plain.statusCode() == 302 || plain.statusCode() == 301, "HTTP is redirected: " + plain.statusCode());
        assertTrue(plain.headers().firstValue("Location").orElse("").startsWith("https://"), plain.headers().toString());

        // over HTTPS without a login: the login page, not the console
        HttpResponse<String> anonymous = https(client, "/adminCenter/");
        assertTrue(anonymous.statusCode() == 302 || anonymous.body().contains("j_security_check"),
                "anonymous callers get the login: " + anonymous.statusCode());

        // the console's REST API: the admin's password opens it, a wrong one or an API key of any role does not
        String password = System.getProperty("seraphim.it.console.password");
        HttpResponse<String> admin = https(client, "/ibm/api/adminCenter/v1/toolbox", "Authorization", basic("admin", password));
        assertEquals(200, admin.statusCode(), admin.body());
        assertEquals(401, https(client, "/ibm/api/adminCenter/v1/toolbox", "Authorization", basic("admin", password + "x")).statusCode());
        String operator = SecurityIT.createKey("{\"name\":\"console-operator\",\"role\":\"operator\"}").getString("secret");
        assertFalse(https(client, "/ibm/api/adminCenter/v1/toolbox", "Authorization", "Bearer " + operator).statusCode() == 200);
        // Liberty's batch REST API (behind the Java Batch tool): the console's admin only
        assertEquals(401, https(client, "/ibm/api/batch/jobinstances").statusCode());
        assertEquals(401, https(client, "/ibm/api/batch/jobinstances", "Authorization", "Bearer " + Seraphim.ADMIN_KEY).statusCode());
        assertEquals(200, https(client, "/ibm/api/batch/jobinstances", "Authorization", basic("admin", password)).statusCode());
    }

    @Test
    void metricsNeedAnOperatorOrAdminKey() throws Exception {
        String operator = SecurityIT.createKey("{\"name\":\"scraper\",\"role\":\"operator\"}").getString("secret");
        String client = SecurityIT.createKey("{\"name\":\"metrics-client\",\"role\":\"client\"}").getString("secret");
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + System.getProperty("seraphim.it.port", "18080") + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, plain.statusCode(), "HTTP is sent to HTTPS");
        assertEquals(401, metrics(null).statusCode());
        assertEquals(401, metrics("Bearer sk_nokey_" + "x".repeat(40)).statusCode());
        assertEquals(403, metrics("Bearer " + client).statusCode());
        HttpResponse<String> scraped = metrics("Bearer " + operator);
        assertEquals(200, scraped.statusCode(), scraped.body());
        assertTrue(scraped.body().contains("seraphim_"), "the application's metrics");
        assertEquals(200, metrics("Bearer " + Seraphim.ADMIN_KEY).statusCode());
        // a revoked key is refused here as everywhere, within the directory's refresh
        String id = operator.split("_")[1];
        assertEquals(204, Seraphim.send(Seraphim.request("/api/v1/keys/" + id).DELETE().build()).statusCode());
        assertEquals(401, metrics("Bearer " + operator).statusCode());
    }

    /**
     * No answer to a key carries Liberty's single sign-on (LTPA) cookie. Liberty's authentication cache files each
     * caller's subject under its token too, so such a cookie, sent alone, would stand in for the key on Liberty's
     * own endpoints (with the cache on and the cookie issued, /metrics answered the cookie alone with 200), and outlive the
     * key's revocation. Every answer below is one where Liberty would set the cookie if it issued one.
     */
    @Test
    void noAnswerToAKeyCarriesASingleSignOnCookie() throws Exception {
        HttpClient client = trustingClient();
        String operator = SecurityIT.createKey("{\"name\":\"no-cookie\",\"role\":\"operator\"}").getString("secret");
        for (String key : List.of(Seraphim.ADMIN_KEY, operator)) {
            for (String path : List.of("/openapi", "/metrics", "/v2/models/tabular-mlp", "/api/v1/keys")) {
                HttpResponse<String> answer = https(client, path, "Authorization", "Bearer " + key);
                assertTrue(answer.statusCode() == 200 || path.equals("/api/v1/keys") && answer.statusCode() == 403,
                        path + " " + answer.statusCode() + " " + answer.body());
                assertTrue(answer.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith("LtpaToken2=")),
                        path + " set a single sign-on cookie: " + answer.headers().allValues("Set-Cookie"));
            }
        }
    }

    /** Over HTTPS: with authentication on, Liberty redirects /metrics on HTTP to HTTPS, so keys never travel in clear. */
    private static HttpResponse<String> metrics(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(Seraphim.uri("/metrics?scope=application")).timeout(Duration.ofSeconds(30)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return Seraphim.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
