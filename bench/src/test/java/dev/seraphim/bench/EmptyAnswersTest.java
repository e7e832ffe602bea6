package dev.seraphim.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Both load generators count an inference answered 200 without a body as an error, not as a served request. */
class EmptyAnswersTest {
    private static HttpServer server;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/answer", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"outputs\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/empty", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static final byte[] BODY = "{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void javaClientCountsEmptyAnswersAsErrors() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ClosedLoop.Result empty = ClosedLoop.run(http, LoadRequest.post(uri("/empty"), Map.of(), BODY).toHttp(), true, 2, 0, 1);
        assertEquals(0, empty.ok(), "empty answers counted as served");
        assertTrue(empty.errors() > 0, "no request was sent");
        assertEquals(Map.of(ClosedLoop.EMPTY_ANSWER, empty.errors()), empty.errorStatuses());

        ClosedLoop.Result answered = ClosedLoop.run(http, LoadRequest.post(uri("/answer"), Map.of(), BODY).toHttp(), true, 2, 0, 1);
        assertTrue(answered.ok() > 0, "nothing served");
        assertEquals(0, answered.errors(), answered.errorStatuses().toString());

        // the HTTP floor's empty GET answers without a body, and that is its answer
        ClosedLoop.Result floor = ClosedLoop.run(http, LoadRequest.get(uri("/empty"), Map.of()).toHttp(), false, 2, 0, 1);
        assertTrue(floor.ok() > 0, "nothing served");
        assertEquals(0, floor.errors(), floor.errorStatuses().toString());
    }

    @Test
    void wrkCountsEmptyAnswersAsErrors() throws Exception {
        assumeTrue(Wrk.installed(), "wrk is not installed here (bench/run installs it)");
        Wrk wrk = new Wrk();
        ClosedLoop.Result empty = wrk.run(LoadRequest.post(uri("/empty"), Map.of(), BODY), 2, 0, 1);
        assertEquals(0, empty.ok(), "empty answers counted as served");
        assertTrue(empty.errors() > 0, "no request was sent");
        assertEquals(Map.of(ClosedLoop.EMPTY_ANSWER, empty.errors()), empty.errorStatuses());

        ClosedLoop.Result answered = wrk.run(LoadRequest.post(uri("/answer"), Map.of(), BODY), 2, 0, 1);
        assertTrue(answered.ok() > 0, "nothing served");
        assertEquals(0, answered.errors(), answered.errorStatuses().toString());

        ClosedLoop.Result floor = wrk.run(LoadRequest.get(uri("/empty"), Map.of()), 2, 0, 1);
        assertTrue(floor.ok() > 0, "nothing served");
        assertEquals(0, floor.errors(), floor.errorStatuses().toString());
    }
}
