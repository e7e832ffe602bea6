package dev.seraphim.api.predict;

import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.errors.ApiError;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Fetching the runbooks' {@code image_url} for the predict API, only under the prefixes an operator allows
 * ({@code seraphim.handler.image.url.allowed.prefixes}, empty by default, so that nothing is fetched): http and https
 * only, no user info, no encoded dots or slashes, redirects not followed (a redirect could leave the list: TorchServe's
 * {@code allowed_urls} and the ShellTorch SSRF are the lesson), a timeout, the body limit and an image content type.
 */
@ApplicationScoped
public class ImageUrls {
    private static final Logger LOG = Logger.getLogger(ImageUrls.class.getName());

    @Inject
    @ConfigProperty(name = "seraphim.handler.image.url.allowed.prefixes")
    Optional<List<String>> allowedPrefixes;

    @Inject
    @ConfigProperty(name = "seraphim.handler.image.url.timeout.ms", defaultValue = "5000")
    long timeoutMs;

    @Inject
    ApiLimits limits;

    private List<String> prefixes;
    private HttpClient client;

    @PostConstruct
    void init() {
        prefixes = new ArrayList<>();
        for (String p : allowedPrefixes.orElse(List.of())) {
            String prefix = p.trim();
            if (prefix.isEmpty()) {
                continue;
            }
            URI u = URI.create(prefix);
            // a bare origin gets its slash, so that https://images.example.com does not allow https://images.example.com.evil.net
            prefixes.add(u.getRawPath() == null || u.getRawPath().isEmpty() ? prefix + "/" : prefix);
        }
        client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofMillis(timeoutMs)).build();
        if (!prefixes.isEmpty()) {
            LOG.info("image_url fetched only under " + prefixes);
        }
    }

    /** The image's bytes, or a 400 that says why the URL is not fetched or what went wrong fetching it. */
    public byte[] fetch(String url) {
        URI uri = allowed(url);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMs)).header("Accept", "image/*").GET().build();
        try {
            HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new ApiError.BadRequestException("image_url answered HTTP " + r.statusCode() + (r.statusCode() / 100 == 3
                            ? " (a redirect, which is not followed: give the final URL)" : "") + "; it must answer 200 with the image");
                }
                String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                if (!type.startsWith("image/") && !type.startsWith("application/octet-stream")) {
                    throw new ApiError.BadRequestException("image_url answered Content-Type '" + type.replaceAll("[^a-z0-9/.+;= -]", "?")
                            + "'; an image/* type is required");
                }
                byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes() + 1));
                if (body.length > limits.maxBodyBytes()) {
                    throw new ApiError.BadRequestException("the image at image_url is larger than " + limits.maxBodyBytes() + " bytes");
                }
                return body;
            }
        } catch (HttpTimeoutException e) {
            throw new ApiError.BadRequestException("image_url did not answer within " + timeoutMs + " ms");
        } catch (IOException e) {
            throw new ApiError.BadRequestException("image_url could not be fetched (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError.BadRequestException("image_url fetch interrupted");
        }
    }

    private URI allowed(String url) {
        if (prefixes.isEmpty()) {
            throw new ApiError.BadRequestException("image_url is not fetched by this server: an operator must allow URL prefixes first"
                    + " (seraphim.handler.image.url.allowed.prefixes, e.g. https://images.example.com/); or send the image itself as"
                    + " \"image\": \"<base64>\"");
        }
        URI uri;
        try {
            uri = new URI(url).normalize();
        } catch (URISyntaxException e) {
            throw new ApiError.BadRequestException("image_url is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String raw = uri.toString().toLowerCase(Locale.ROOT);
        boolean under = prefixes.stream().anyMatch(p -> uri.toString().startsWith(p));
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getRawUserInfo() != null || uri.getHost() == null
                || raw.contains("%2e") || raw.contains("%2f") || raw.contains("\\") || !under) {
            throw new ApiError.BadRequestException("image_url is not under an allowed prefix (" + String.join(", ", prefixes)
                    + "); only http(s) URLs under those, without user info or encoded dots and slashes, are fetched");
        }
        return uri;
    }
}
