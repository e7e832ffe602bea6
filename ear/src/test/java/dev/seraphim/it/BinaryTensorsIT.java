package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OIP binary tensor data extension as Triton defines it: inputs after the JSON header
 * ({@code Inference-Header-Content-Length}, {@code binary_data_size}), outputs back as binary on request
 * ({@code binary_data}, {@code binary_data_output}); PyTorch's golden outputs either way; malformed binary
 * requests get 400 saying what is wrong.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BinaryTensorsIT {
    private static final String HEADER = "Inference-Header-Content-Length";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void theServerAnnouncesTheExtension() throws Exception {
        assertTrue(Seraphim.json(Seraphim.get("/v2").body()).getJsonArray("extensions").toString().contains("binary_tensor_data"));
    }

    @Test
    void everyGoldenCaseWithBinaryInputsAndOutputs() throws Exception {
        for (String model : List.of("tabular-mlp", "tiny-cnn", "text-classifier")) {
            Golden golden = Golden.load(model);
            for (Golden.Case c : golden.cases()) {
                JsonObject in = c.input();
                byte[] data = littleEndian(in.getString("datatype"), Golden.flatten(in.getJsonArray("data")));
                String json = "{\"id\":\"b" + c.index() + "\",\"inputs\":[{\"name\":\"" + in.getString("name") + "\",\"datatype\":\""
                        + in.getString("datatype") + "\",\"shape\":" + in.getJsonArray("shape") + ",\"parameters\":{\"binary_data_size\":"
                        + data.length + "}}],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}";
                HttpResponse<byte[]> r = send(model, json, data, true);
                assertEquals(200, r.statusCode(), model + " case " + c.index() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                int jsonLength = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
                assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
                JsonObject header = Seraphim.json(new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8));
                JsonObject out = header.getJsonArray("outputs").getJsonObject(0);
                assertArrayEquals(c.expectedShape(), Golden.shape(out));
                int size = out.getJsonObject("parameters").getInt("binary_data_size");
                assertEquals(r.body().length - jsonLength, size, "the binary part is exactly the output");
                assertTrue(!out.containsKey("data"), "binary outputs carry no JSON data");
                FloatBufferView floats = new FloatBufferView(r.body(), jsonLength, size);
                golden.assertClose(c, floats.values(), "OIP binary");
            }
        }
    }

    @Test
    void binaryInputWithJsonOutputAndJsonInputWithBinaryOutputAgree() throws Exception {
        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(0);
        JsonObject in = c.input();
        byte[] data = littleEndian("FP32", Golden.flatten(in.getJsonArray("data")));
        String binaryIn = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":" + in.getJsonArray("shape")
                + ",\"parameters\":{\"binary_data_size\":" + data.length + "}}]}";
        HttpResponse<byte[]> jsonOut = send("tabular-mlp", binaryIn, data, true);
        assertEquals(200, jsonOut.statusCode());
        assertTrue(jsonOut.headers().firstValue(HEADER).isEmpty(), "an all-JSON response has no binary header");
        golden.assertClose(c, Golden.flatten(Seraphim.json(new String(jsonOut.body(), StandardCharsets.UTF_8))
                .getJsonArray("outputs").getJsonObject(0).getJsonArray("data")), "binary in, JSON out");

        String jsonIn = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[" + in + "]}";
        HttpResponse<byte[]> binaryOut = send("tabular-mlp", jsonIn, new byte[0], false);
        assertEquals(200, binaryOut.statusCode());
        int jsonLength = Integer.parseInt(binaryOut.headers().firstValue(HEADER).orElseThrow());
        golden.assertClose(c, new FloatBufferView(binaryOut.body(), jsonLength, binaryOut.body().length - jsonLength).values(),
                "JSON in, binary out");
    }

    /** Triton's rule: an output's own binary_data: false wins over the request's binary_data_output: true. */
    @Test
    void anOutputsOwnBinaryDataFalseOverridesTheRequestLevelDefault() throws Exception {
        Golden golden = Golden.load("tabular-mlp");
        Golden.Case c = golden.cases().get(0);
        String body = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[" + c.input()
                + "],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":false}}]}";
        HttpResponse<byte[]> r = send("tabular-mlp", body, new byte[0], false);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(r.headers().firstValue(HEADER).isEmpty(), "no binary section: the only output asked for JSON");
        golden.assertClose(c, Golden.flatten(Seraphim.json(new String(r.body(), StandardCharsets.UTF_8))
                .getJsonArray("outputs").getJsonObject(0).getJsonArray("data")), "binary_data false under binary_data_output true");
    }

    /** A tensor of no elements is valid JSON: the refusal says what is refused, not "invalid JSON". */
    @Test
    void anEmptyTensorIsRefusedForWhatItIs() throws Exception {
        HttpResponse<byte[]> r = send("tabular-mlp", "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[0,16],"
                + "\"data\":[]}]}", new byte[0], false);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(400, r.statusCode(), body);
        assertTrue(body.contains("has no elements") && !body.contains("invalid JSON"), body);
    }

    @Test
    void malformedBinaryRequestsAreRefusedSayingWhy() throws Exception {
        byte[] row = littleEndian("FP32", new double[16]);
        String declared = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"parameters\":{\"binary_data_size\":64}}]}";
        assertProblem(send("tabular-mlp", declared, row, false), "needs the Inference-Header-Content-Length header");
        assertProblem(send("tabular-mlp", declared, new byte[0], false), "no Inference-Header-Content-Length header");
        assertProblem(send("tabular-mlp", declared.replace(":64}", ":60}"), row, true), "binary_data_size is 60 but shape [1, 16] of FP32 is 64 bytes");
        assertProblem(send("tabular-mlp", declared, Arrays.copyOf(row, 40), true), "needs 64 bytes of binary data but only 40 follow");
        assertProblem(send("tabular-mlp", declared, Arrays.copyOf(row, 70), true), "6 bytes after the binary data");
        assertProblem(send("tabular-mlp", declared.replace("\"parameters\"", "\"data\":[1],\"parameters\""), row, true), "both 'data' and 'binary_data_size'");
        HttpResponse<byte[]> badHeader = Seraphim.HTTP.send(Seraphim.request("/v2/models/tabular-mlp/infer").header(HEADER, "999999")
                .POST(HttpRequest.BodyPublishers.ofByteArray(concat(declared.getBytes(StandardCharsets.UTF_8), row))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertProblem(badHeader, "Inference-Header-Content-Length is 999999 but the body has");
    }

    private static void assertProblem(HttpResponse<byte[]> r, String expected) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(400, r.statusCode(), body);
        assertTrue(body.contains(expected), body);
    }

    private static HttpResponse<byte[]> send(String model, String json, byte[] binary, boolean header) throws Exception {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = Seraphim.request("/v2/models/" + model + "/infer").header("Content-Type", "application/octet-stream");
        if (header) {
            b.header(HEADER, Integer.toString(head.length));
        }
        return Seraphim.HTTP.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(concat(head, binary))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] littleEndian(String datatype, double[] values) {
        boolean int64 = datatype.equals("INT64");
        ByteBuffer b = ByteBuffer.allocate(values.length * (int64 ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (int64) {
                b.putLong((long) v);
            } else {
                b.putFloat((float) v);
            }
        }
        return b.array();
    }

    /** FP32 little-endian values of a response's binary part. */
    private record FloatBufferView(byte[] body, int offset, int size) {
        double[] values() {
            ByteBuffer b = ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN);
            double[] out = new double[size / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.getFloat();
            }
            return out;
        }
    }
}
