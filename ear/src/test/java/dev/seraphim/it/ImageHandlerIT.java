package dev.seraphim.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TorchServe's first example as a new user runs it: {@code curl -T image localhost:8080/predictions/tiny-cnn}. The
 * demo store gives tiny-cnn the image_classifier handler; each fixture image, sent raw by POST or PUT, answers its
 * top classes as TorchServe does, and the top three match PyTorch's for torchvision's preprocessing of that image
 * (golden/images.json) within the preprocessing tolerance. Bad images are 400s that say what is wrong.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ImageHandlerIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void eachFixtureImageAnswersTorchServesTopClassesAsPyTorchRanksThem() throws Exception {
        JsonObject golden = Seraphim.json(new String(resource("/golden/images.json"))).getJsonObject("images");
        for (String image : List.of("gradient.png", "gray64.png", "shapes.jpg")) {
            for (String method : List.of("POST", "PUT")) {
                HttpResponse<String> r = Seraphim.send(Seraphim.request("/predictions/tiny-cnn")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(resource("/images/" + image))).build());
                assertEquals(200, r.statusCode(), image + " " + method + ": " + r.body());
                JsonObject top = Seraphim.json(r.body());
                assertEquals(5, top.size(), "top 5: " + r.body());
                List<String> labels = new ArrayList<>(top.keySet());
                JsonArray expected = golden.getJsonObject(image).getJsonArray("tiny-cnn_top3");
                for (int i = 0; i < 3; i++) {
                    JsonArray e = expected.getJsonArray(i);
                    assertEquals(e.getString(0), labels.get(i), image + ": rank " + (i + 1) + " in " + r.body());
                    double p = top.getJsonNumber(labels.get(i)).doubleValue();
                    assertEquals(e.getJsonNumber(1).doubleValue(), p, 0.005, image + ": probability of " + e.getString(0));
                }
            }
        }
    }

    @Test
    void jsonTensorsStillReachTheModel() throws Exception {
        StringBuilder zeros = new StringBuilder("[[");
        for (int c = 0; c < 3; c++) {
            zeros.append(c > 0 ? "," : "").append("[");
            for (int y = 0; y < 224; y++) {
                zeros.append(y > 0 ? "," : "").append("[").append("0,".repeat(223)).append("0]");
            }
            zeros.append("]");
        }
        zeros.append("]]");
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/predictions/tiny-cnn", zeros.toString()));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("[["), "logits as a nested array, as before: " + r.body());
    }

    private static final List<String> IMAGES = List.of("gradient.png", "gray64.png", "shapes.jpg");

    /**
     * Every fixture image through every path a client may send it (TorchServe multipart, several files batched in one
     * request, OIP BYTES as b64 objects and base64 strings, OIP BYTES with the binary extension, KServe V1, the predict
     * API): each answers the same top five, with the same probabilities, as torchvision's own preprocessed tensor of
     * that image sent through OIP (softmax of its logits), which is also PyTorch's golden ranking.
     */
    @Test
    void everyPathAnswersWhatTheTorchvisionTensorAnswersThroughOip() throws Exception {
        java.util.Map<String, java.util.LinkedHashMap<String, Double>> reference = new java.util.HashMap<>();
        for (String image : IMAGES) {
            reference.put(image, referenceTop5(image));
        }
        // TorchServe, multipart: one field, then all three images as fields of one request (a batch of three)
        for (String image : IMAGES) {
            assertSameTop(reference.get(image), Seraphim.json(sendMultipart("/predictions/tiny-cnn", List.of(image)).body()), image + " multipart");
        }
        jakarta.json.JsonArray batch = Seraphim.json("{\"a\":" + sendMultipart("/predictions/tiny-cnn", IMAGES).body() + "}").getJsonArray("a");
        assertEquals(3, batch.size(), "one answer per file");
        for (int i = 0; i < 3; i++) {
            assertSameTop(reference.get(IMAGES.get(i)), batch.getJsonObject(i), IMAGES.get(i) + " in a multi-file request");
        }
        // OIP BYTES in JSON: a b64 object, a base64 string, a b64 object; labels asked for beside the logits
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            String b64 = java.util.Base64.getEncoder().encodeToString(resource("/images/" + IMAGES.get(i)));
            data.append(i > 0 ? "," : "").append(i == 1 ? "\"" + b64 + "\"" : "{\"b64\":\"" + b64 + "\"}");
        }
        HttpResponse<String> oip = Seraphim.send(Seraphim.post("/v2/models/tiny-cnn/infer", "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\","
                + "\"shape\":[3],\"data\":[" + data + "]}],\"outputs\":[{\"name\":\"labels\"},{\"name\":\"logits\"}]}"));
        assertEquals(200, oip.statusCode(), oip.body());
        assertOipAnswers(reference, Seraphim.json(oip.body()), "OIP BYTES in JSON");
        // OIP BYTES with the binary extension: each element a 4-byte little-endian length and the image
        ByteArrayOutputStream elements = new ByteArrayOutputStream();
        for (String image : IMAGES) {
            byte[] bytes = resource("/images/" + image);
            elements.write(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
            elements.write(bytes);
        }
        byte[] header = ("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[3,1],\"parameters\":{\"binary_data_size\":"
                + elements.size() + "}}],\"outputs\":[{\"name\":\"labels\"},{\"name\":\"logits\"}]}").getBytes();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.write(header);
        binary.write(elements.toByteArray());
        HttpResponse<String> oipBinary = Seraphim.send(Seraphim.request("/v2/models/tiny-cnn/infer").header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", Integer.toString(header.length)).POST(HttpRequest.BodyPublishers.ofByteArray(binary.toByteArray())).build());
        assertEquals(200, oipBinary.statusCode(), oipBinary.body());
        assertOipAnswers(reference, Seraphim.json(oipBinary.body()), "OIP BYTES, binary extension");
        // KServe V1: {"image": {"b64"}}, {"b64"} and a base64 string
        HttpResponse<String> v1 = Seraphim.send(Seraphim.post("/v1/models/tiny-cnn:predict", "{\"instances\":[" + data.toString()
                .replaceFirst("\\{\"b64\"", "{\"image\":{\"b64\"").replaceFirst("\"},", "\"}},") + "]}"));
        assertEquals(200, v1.statusCode(), v1.body());
        jakarta.json.JsonArray predictions = Seraphim.json(v1.body()).getJsonArray("predictions");
        for (int i = 0; i < 3; i++) {
            assertSameTop(reference.get(IMAGES.get(i)), predictions.getJsonObject(i), IMAGES.get(i) + " through KServe V1");
        }
        assertEquals("{\"name\":\"tiny-cnn\",\"ready\":true}", Seraphim.get("/v1/models/tiny-cnn").body());
        assertTrue(Seraphim.json(Seraphim.get("/v1/models").body()).getJsonArray("models").toString().contains("\"tiny-cnn\""),
                "KServe V1's list names the served models");
        // the predict API
        for (String image : IMAGES) {
            HttpResponse<String> p = Seraphim.send(Seraphim.post("/api/v1/predict", "{\"model\":\"tiny-cnn\",\"input\":{\"image\":\""
                    + java.util.Base64.getEncoder().encodeToString(resource("/images/" + image)) + "\"}}"));
            assertEquals(200, p.statusCode(), p.body());
            assertSameTop(reference.get(image), Seraphim.json(p.body()).getJsonObject("prediction"), image + " through /api/v1/predict");
        }
    }

    /** image_url is fetched only under the allowed prefix (the test's own HTTP server), and only as the rules say. */
    @Test
    void imageUrlIsFetchedOnlyUnderTheAllowedPrefix() throws Exception {
        int port = Integer.getInteger("seraphim.it.images.port");
        com.sun.net.httpserver.HttpServer images = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", port), 0);
        byte[] jpeg = resource("/images/shapes.jpg");
        images.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/redirect")) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + port + "/elsewhere/shapes.jpg");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.endsWith("/page.html")) {
                exchange.getResponseHeaders().add("Content-Type", "text/html");
                exchange.sendResponseHeaders(200, 5);
                exchange.getResponseBody().write("<p>hi".getBytes());
            } else {
                exchange.getResponseHeaders().add("Content-Type", "image/jpeg");
                exchange.sendResponseHeaders(200, jpeg.length);
                exchange.getResponseBody().write(jpeg);
            }
            exchange.close();
        });
        images.start();
        try {
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> ok = predictUrl(base + "/allowed/shapes.jpg");
            assertEquals(200, ok.statusCode(), ok.body());
            assertSameTop(referenceTop5("shapes.jpg"), Seraphim.json(ok.body()).getJsonObject("prediction"), "shapes.jpg by image_url");
            assertUrlRefused(base + "/elsewhere/shapes.jpg", "not under an allowed prefix");
            assertUrlRefused(base + "/allowed/../elsewhere/shapes.jpg", "not under an allowed prefix");
            assertUrlRefused(base + "/allowed/%2e%2e/elsewhere/shapes.jpg", "not under an allowed prefix");
            assertUrlRefused("http://someone@127.0.0.1:" + port + "/allowed/shapes.jpg", "not under an allowed prefix");
            assertUrlRefused("http://127.0.0.1:" + port + "0/allowed/shapes.jpg", "not under an allowed prefix");
            assertUrlRefused("file:///etc/passwd", "not under an allowed prefix");
            assertUrlRefused(base + "/allowed/redirect", "a redirect, which is not followed");
            assertUrlRefused(base + "/allowed/page.html", "an image/* type is required");
        } finally {
            images.stop(0);
        }
    }

    private static HttpResponse<String> predictUrl(String url) throws Exception {
        return Seraphim.send(Seraphim.post("/api/v1/predict", "{\"model\":\"tiny-cnn\",\"input\":{\"image_url\":\"" + url + "\"}}"));
    }

    private static void assertUrlRefused(String url, String says) throws Exception {
        HttpResponse<String> r = predictUrl(url);
        assertEquals(400, r.statusCode(), url + ": " + r.body());
        assertTrue(r.body().contains(says), url + ": " + says + " in " + r.body());
    }

    /** torchvision's tensor of the image through OIP (binary FP32), and the softmax of its logits, top five. */
    static java.util.LinkedHashMap<String, Double> referenceTop5(String image) throws Exception {
        byte[] tensor = resource("/images/" + image + ".preprocessed.f32");
        byte[] header = ("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[1,3,224,224],\"parameters\":{\"binary_data_size\":"
                + tensor.length + "}}]}").getBytes();
        byte[] body = java.util.Arrays.copyOf(header, header.length + tensor.length);
        System.arraycopy(tensor, 0, body, header.length, tensor.length);
        HttpResponse<String> r = Seraphim.send(Seraphim.request("/v2/models/tiny-cnn/infer").header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", Integer.toString(header.length)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertEquals(200, r.statusCode(), r.body());
        JsonArray logits = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        JsonObject labels = Seraphim.json(new String(resource("/tiny-cnn.index_to_name.json")));
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.size(); i++) {
            max = Math.max(max, logits.getJsonNumber(i).doubleValue());
        }
        double sum = 0;
        double[] p = new double[logits.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits.getJsonNumber(i).doubleValue() - max);
            sum += p[i];
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(p[b], p[a]));
        java.util.LinkedHashMap<String, Double> top = new java.util.LinkedHashMap<>();
        for (int i : order.subList(0, 5)) {
            top.put(labels.getJsonArray(Integer.toString(i)).getString(1), p[i] / sum);
        }
        return top;
    }

    static void assertSameTop(java.util.Map<String, Double> expected, JsonObject answer, String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(answer.keySet()), what + ": the same top five in the same order");
        expected.forEach((label, p) -> assertEquals(p, answer.getJsonNumber(label).doubleValue(), 1e-5, what + ": probability of " + label));
    }

    private static void assertOipAnswers(java.util.Map<String, java.util.LinkedHashMap<String, Double>> reference, JsonObject answer, String what) {
        JsonObject labels = answer.getJsonArray("outputs").getValuesAs(JsonObject.class).stream().filter(o -> o.getString("name").equals("labels"))
                .findFirst().orElseThrow(() -> new AssertionError(what + ": no labels output in " + answer));
        assertEquals("BYTES", labels.getString("datatype"));
        assertEquals("[3,5]", labels.getJsonArray("shape").toString());
        JsonObject logits = answer.getJsonArray("outputs").getValuesAs(JsonObject.class).stream().filter(o -> o.getString("name").equals("logits"))
                .findFirst().orElseThrow(() -> new AssertionError(what + ": no logits output"));
        assertEquals("[3,10]", logits.getJsonArray("shape").toString());
        for (int i = 0; i < 3; i++) {
            List<String> row = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                row.add(labels.getJsonArray("data").getString(i * 5 + k));
            }
            assertEquals(List.copyOf(reference.get(IMAGES.get(i)).keySet()), row, what + ": labels of " + IMAGES.get(i));
        }
    }

    private static HttpResponse<String> sendMultipart(String path, List<String> images) throws Exception {
        String boundary = "img-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String image : images) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"" + image
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes());
            body.write(resource("/images/" + image));
            body.write("\r\n".getBytes());
        }
        body.write(("--" + boundary + "--\r\n").getBytes());
        HttpResponse<String> r = Seraphim.send(Seraphim.request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    @Test
    void badImagesAreRefusedSayingWhatIsWrong() throws Exception {
        byte[] jpeg = resource("/images/shapes.jpg");
        byte[] truncated = java.util.Arrays.copyOf(jpeg, 600);
        assertRefused(new byte[]{1, 2, 3, 4, 5}, "not an image");
        assertRefused(truncated, "could not be decoded");
        assertRefused(bomb(), "at most 50000000 are decoded");
        assertRefused(new byte[0], "empty");
        HttpResponse<String> noBytes = Seraphim.send(Seraphim.post("/v2/models/tiny-cnn/infer",
                "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[{\"b64\":\"%%%\"}, \"x\"]}]}"));
        assertEquals(400, noBytes.statusCode(), noBytes.body());
        assertTrue(noBytes.body().contains("is not base64"), noBytes.body());
        HttpResponse<String> tensorsOnly = Seraphim.send(Seraphim.post("/v2/models/tabular-mlp/infer",
                "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"hello\"]}]}"));
        assertEquals(400, tensorsOnly.statusCode(), tensorsOnly.body());
        assertTrue(tensorsOnly.body().contains("has no handler"), tensorsOnly.body());
    }

    private static void assertRefused(byte[] body, String says) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.request("/predictions/tiny-cnn").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(says), says + ": " + r.body());
        assertTrue(r.body().contains("\"code\":400"), "TorchServe's error shape: " + r.body());
        assertFalse(r.body().contains("Exception:") || r.body().contains("at java."), r.body());
    }

    /** A PNG whose header declares 100 000 x 100 000 pixels (its CRC right), and nothing behind it worth decoding. */
    private static byte[] bomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(100_000).putInt(100_000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        out.write(ByteBuffer.allocate(4).putInt(13).array());
        out.write(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    static byte[] resourceQuietly(String name) {
        try {
            return resource(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageHandlerIT.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
