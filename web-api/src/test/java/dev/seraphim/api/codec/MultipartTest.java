package dev.seraphim.api.codec;

import dev.seraphim.api.errors.ApiError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipartTest {
    private static final String TYPE = "multipart/form-data; boundary=----x7";

    @Test
    void partsAreSplitWithTheirNamesAndBinaryContentIntact() {
        byte[] image = {(byte) 0xff, (byte) 0xd8, '\r', '\n', '-', '-', 0, 1, 2};
        byte[] body = concat("preamble\r\n------x7\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n", image, "\r\n------x7\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
                + "second\r\n------x7--\r\n");
        List<Multipart.Part> parts = Multipart.parse(body, TYPE);
        assertEquals(2, parts.size());
        assertEquals("data", parts.get(0).name());
        assertEquals("a.jpg", parts.get(0).fileName().orElseThrow());
        assertArrayEquals(image, parts.get(0).content());
        assertEquals("file", parts.get(1).name());
        assertEquals("second", new String(parts.get(1).content(), StandardCharsets.UTF_8));
        assertEquals(1, Multipart.parse(concat("--q\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nx\r\n--q--", new byte[0], ""),
                "multipart/form-data; boundary=\"q\"").size(), "a quoted boundary");
    }

    @Test
    void brokenBodiesAreRefusedSayingWhatIsWrong() {
        assertRefused("x", "multipart/form-data", "needs a boundary");
        assertRefused("nothing here", TYPE, "does not contain its boundary");
        assertRefused("------x7\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\ntruncated", TYPE, "not closed by the boundary");
        assertRefused("------x7\r\nContent-Type: image/png\r\n\r\nx\r\n------x7--", TYPE, "no Content-Disposition");
    }

    private static void assertRefused(String body, String type, String says) {
        ApiError.BadRequestException e = assertThrows(ApiError.BadRequestException.class,
                () -> Multipart.parse(body.getBytes(StandardCharsets.UTF_8), type));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] z = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(b, 0, out, x.length, b.length);
        System.arraycopy(z, 0, out, x.length + b.length, z.length);
        return out;
    }
}
