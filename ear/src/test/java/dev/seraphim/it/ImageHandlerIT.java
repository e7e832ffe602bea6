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

    @Test
    void badImagesAreRefusedSayingWhatIsWrong() throws Exception {
        byte[] jpeg = resource("/images/shapes.jpg");
        byte[] truncated = java.util.Arrays.copyOf(jpeg, 600);
        assertRefused(new byte[]{1, 2, 3, 4, 5}, "not an image");
        assertRefused(truncated, "could not be decoded");
        assertRefused(bomb(), "at most 50000000 are decoded");
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

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageHandlerIT.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
