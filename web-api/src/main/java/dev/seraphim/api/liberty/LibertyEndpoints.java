package dev.seraphim.api.liberty;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.OptionalInt;

/**
 * Liberty's own endpoints (/metrics, /openapi) read by the application for a caller on plain HTTP: Liberty serves
 * an authenticated /metrics over HTTPS only and answers HTTP with a redirect that curl follows without the key.
 * The caller's Authorization header goes along, so Liberty decides exactly as for a direct call. The connection
 * is to this server itself on its loopback address: its certificate (the development one, often) is this
 * server's own, so it is not checked against a trust store.
 */
@ApplicationScoped
public class LibertyEndpoints {
    @Inject
    @ConfigProperty(name = "seraphim.https.port", defaultValue = "8443")
    int httpsPort;

    @Inject
    @ConfigProperty(name = "seraphim.http.host", defaultValue = "*")
    String host;

    /** What Liberty answered: status, content type and body. */
    public record Answer(int status, String contentType, byte[] body) {
    }

    /** Liberty did not answer in time: a 503 for the caller. */
    public static final class Unanswered extends RuntimeException implements Failure {
        Unanswered(String message) {
            super(message);
        }

        @Override
        public FailureKind kind() {
            return FailureKind.UNAVAILABLE;
        }

        @Override
        public OptionalInt retryAfterSeconds() {
            return OptionalInt.of(5);
        }
    }

    private static final SSLContext OWN_CERTIFICATE;

    static {
        try {
            OWN_CERTIFICATE = SSLContext.getInstance("TLS");
            OWN_CERTIFICATE.init(null, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // not a server
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // this server's own certificate, reached on its own loopback address
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GET {@code pathAndQuery} (it starts with /) from this server over HTTPS, with the caller's Authorization. */
    public Answer get(String pathAndQuery, String authorization, String accept) {
        String target = host.equals("*") || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        try {
            HttpsURLConnection c = (HttpsURLConnection) URI.create("https://" + (target.contains(":") ? "[" + target + "]" : target)
                    + ":" + httpsPort + pathAndQuery).toURL().openConnection();
            c.setSSLSocketFactory(OWN_CERTIFICATE.getSocketFactory());
            c.setHostnameVerifier((name, session) -> true);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(20_000);
            c.setInstanceFollowRedirects(false);
            if (authorization != null) {
                c.setRequestProperty("Authorization", authorization);
            }
            if (accept != null) {
                c.setRequestProperty("Accept", accept);
            }
            int status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                return new Answer(status, c.getContentType(), in == null ? new byte[0] : in.readAllBytes());
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new Unanswered("this server's own " + pathAndQuery.replaceFirst("\\?.*", "") + " did not answer over HTTPS (port "
                    + httpsPort + "); retry, or read it there directly");
        }
    }
}
