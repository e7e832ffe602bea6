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

    /**
     * The JDK's HttpServer drops a kept-alive connection now and then (a socket error, -1: once 1 in 3 063
     * requests); that is the stub's, not what these tests are about, so up to 1 % of them is allowed and no other
     * status is.
     */
    private static long socketErrorsAllowed(ClosedLoop.Result r) {
        long socket = r.errorStatuses().getOrDefault(-1, 0L);
        assertTrue(socket <= (r.ok() + r.errors()) / 100, "socket errors " + socket + " of " + (r.ok() + r.errors()));
        return socket;
    }

    private static void assertCountedAsEmpty(ClosedLoop.Result empty) {
        assertEquals(0, empty.ok(), "empty answers counted as served");
        long socket = socketErrorsAllowed(empty);
        assertTrue(empty.errors() - socket > 0, "no request was answered");
        Map<Integer, Long> expected = new java.util.TreeMap<>(Map.of(ClosedLoop.EMPTY_ANSWER, empty.errors() - socket));
        if (socket > 0) {
            expected.put(-1, socket);
        }
        assertEquals(expected, empty.errorStatuses(), "every answer without a body counted as an empty answer");
    }

    private static void assertServedWithoutErrors(ClosedLoop.Result r) {
        assertTrue(r.ok() > 0, "nothing served");
        assertEquals(socketErrorsAllowed(r), r.errors(), r.errorStatuses().toString());
    }

    @Test
    void javaClientCountsEmptyAnswersAsErrors() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ClosedLoop.Result empty = ClosedLoop.run(http, LoadRequest.post(uri("/empty"), Map.of(), BODY).toHttp(), true, 2, 0, 1, ServerCpu.NONE);
        assertCountedAsEmpty(empty);

        ClosedLoop.Result answered = ClosedLoop.run(http, LoadRequest.post(uri("/answer"), Map.of(), BODY).toHttp(), true, 2, 0, 1, ServerCpu.NONE);
        assertServedWithoutErrors(answered);

        // the HTTP floor's empty GET answers without a body, and that is its answer
        ClosedLoop.Result floor = ClosedLoop.run(http, LoadRequest.get(uri("/empty"), Map.of()).toHttp(), false, 2, 0, 1, ServerCpu.NONE);
        assertServedWithoutErrors(floor);
    }

    @Test
    void wrkCountsEmptyAnswersAsErrors() throws Exception {
        assumeTrue(Wrk.installed(), "wrk is not installed here (bench/run installs it)");
        Wrk wrk = new Wrk();
        ClosedLoop.Result empty = wrk.run(LoadRequest.post(uri("/empty"), Map.of(), BODY), 2, 0, 1, ServerCpu.NONE);
        assertCountedAsEmpty(empty);

        ClosedLoop.Result answered = wrk.run(LoadRequest.post(uri("/answer"), Map.of(), BODY), 2, 0, 1, ServerCpu.NONE);
        assertServedWithoutErrors(answered);

        ClosedLoop.Result floor = wrk.run(LoadRequest.get(uri("/empty"), Map.of()), 2, 0, 1, ServerCpu.NONE);
        assertServedWithoutErrors(floor);
    }
}
