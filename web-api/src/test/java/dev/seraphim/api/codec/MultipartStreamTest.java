package dev.seraphim.api.codec;

import dev.seraphim.api.errors.ApiError;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipartStreamTest {
    private static final String TYPE = "multipart/form-data; boundary=----x7";

    /** Each read hands back at most a few bytes, as a slow network does: the boundary may be split anywhere. */
    private static InputStream trickle(byte[] body, long seed) {
        Random random = new Random(seed);
        return new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    private static byte[] body(byte[] file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("preamble to ignore\r\n------x7\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n{\"name\":\"m\"}\r\n------x7\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"model.pt\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(file);
        out.write("\r\n------x7--\r\nepilogue".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void partsStreamWithTheirContentIntactHoweverTheBytesArrive() throws IOException {
        byte[] file = new byte[200_000];
        new Random(7).nextBytes(file);
        // bytes that start a delimiter without finishing it, inside the content
        byte[] trap = "\r\n------x\r\n--".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(trap, 0, file, 65_530, trap.length);
        for (long seed = 0; seed < 5; seed++) {
            MultipartStream parts = MultipartStream.open(seed == 0 ? new ByteArrayInputStream(body(file)) : trickle(body(file), seed), TYPE);
            MultipartStream.Part metadata = parts.next();
            assertEquals("metadata", metadata.name());
            assertEquals("{\"name\":\"m\"}", metadata.text(1024));
            MultipartStream.Part part = parts.next();
            assertEquals("file", part.name());
            assertEquals("model.pt", part.fileName().orElseThrow());
            assertArrayEquals(file, part.content().readAllBytes());
            assertNull(parts.next(), "the closing boundary ends the parts");
        }
    }

    @Test
    void anUnreadPartIsSkipped() throws IOException {
        MultipartStream parts = MultipartStream.open(new ByteArrayInputStream(body(new byte[100_000])), TYPE);
        List<String> names = new ArrayList<>();
        for (MultipartStream.Part p; (p = parts.next()) != null; ) {
            names.add(p.name());
        }
        assertEquals(List.of("metadata", "file"), names);
    }

    @Test
    void aTruncatedOrMalformedBodyIsTheCallersError() throws IOException {
        byte[] whole = body(new byte[5000]);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 200);
        ApiError.BadRequestException e = assertThrows(ApiError.BadRequestException.class, () -> {
            MultipartStream parts = MultipartStream.open(new ByteArrayInputStream(cut), TYPE);
            parts.next();
            parts.next().content().readAllBytes();
        });
        assertTrue(e.getMessage().contains("ends before its closing boundary"), e.getMessage());
        assertThrows(ApiError.BadRequestException.class, () -> MultipartStream.open(InputStream.nullInputStream(), "multipart/form-data"));
        assertThrows(ApiError.BadRequestException.class, () -> MultipartStream.open(
                new ByteArrayInputStream("no boundary anywhere".getBytes(StandardCharsets.UTF_8)), TYPE).next());
        assertThrows(ApiError.BadRequestException.class, () -> MultipartStream.open(new ByteArrayInputStream(
                "------x7\r\nContent-Type: text/plain\r\n\r\nx\r\n------x7--".getBytes(StandardCharsets.UTF_8)), TYPE).next(),
                "a part without a name");
        assertThrows(ApiError.BadRequestException.class, () -> MultipartStream.open(new ByteArrayInputStream(
                "------x7\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n".getBytes(StandardCharsets.UTF_8) ), TYPE)
                .next().text(10), "content that never reaches a boundary");
    }
}
