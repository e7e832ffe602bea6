package dev.seraphim.api.codec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestBodyTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void readsExactlyTheAnnouncedLength() throws IOException {
        byte[] body = bytes(602_112);
        assertArrayEquals(body, RequestBody.read(new ByteArrayInputStream(body), body.length, 1 << 20));
    }

    @Test
    void aShorterStreamThanAnnouncedGivesWhatCame() throws IOException {
        byte[] body = bytes(100);
        assertArrayEquals(body, RequestBody.read(new ByteArrayInputStream(body), 200, 1000));
    }

    @Test
    void bytesBeyondTheAnnouncedLengthAreKeptUpToTheLimit() throws IOException {
        byte[] body = bytes(20_000);
        assertArrayEquals(body, RequestBody.read(new ByteArrayInputStream(body), 10, 50_000));
        assertThrows(RequestBody.PayloadTooLargeException.class,
                () -> RequestBody.read(new ByteArrayInputStream(body), 10, 15_000));
    }

    @Test
    void unknownLengthGrowsUntilTheLimit() throws IOException {
        byte[] body = bytes(70_000);
        assertArrayEquals(body, RequestBody.read(new ByteArrayInputStream(body), -1, 70_000));
        assertThrows(RequestBody.PayloadTooLargeException.class,
                () -> RequestBody.read(new ByteArrayInputStream(body), -1, 69_999));
        assertArrayEquals(new byte[0], RequestBody.read(new ByteArrayInputStream(new byte[0]), -1, 10));
        assertArrayEquals(new byte[0], RequestBody.read(new ByteArrayInputStream(new byte[0]), 0, 10));
    }

    @Test
    void anAnnouncedLengthOverTheLimitIsRefusedBeforeReading() {
        assertThrows(RequestBody.PayloadTooLargeException.class,
                () -> RequestBody.read(new ByteArrayInputStream(new byte[0]), 11, 10));
    }
}
