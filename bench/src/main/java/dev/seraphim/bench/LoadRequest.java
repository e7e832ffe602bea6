package dev.seraphim.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** One request a load generator repeats: the same bytes whichever generator sends them. */
record LoadRequest(String method, URI uri, Map<String, String> headers, byte[] body) {
    LoadRequest {
        headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    static LoadRequest get(URI uri, Map<String, String> headers) {
        return new LoadRequest("GET", uri, headers, null);
    }

    static LoadRequest post(URI uri, Map<String, String> headers, byte[] body) {
        return new LoadRequest("POST", uri, headers, body);
    }

    HttpRequest toHttp() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        return b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }
}
