package dev.seraphim.api.codec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a request body into memory, refusing more than the configured limit (HTTP 413). */
public final class RequestBody {
    private static final int CHUNK = 8192;

    private RequestBody() {
    }

    /**
     * With a known {@code contentLength} the body lands in one array of exactly that size: a growing buffer
     * would copy an image-sized body twice more and, above half a heap region, allocate each copy as a
     * humongous object (measured: G1 collections several times a second under image load).
     */
    public static byte[] read(InputStream in, long contentLength, long limit) throws IOException {
        if (contentLength > limit) {
            throw new PayloadTooLargeException(contentLength, limit);
        }
        if (contentLength >= 0) {
            byte[] body = new byte[(int) contentLength];
            int len = in.readNBytes(body, 0, body.length);
            if (len < body.length) {
                return Arrays.copyOf(body, len);
            }
            int extra = in.read();
            if (extra == -1) {
                return body;
            }
            // more than Content-Length announced: the container should have stopped it; read on to the limit
            byte[] more = Arrays.copyOf(body, Math.max(CHUNK, body.length * 2));
            more[len] = (byte) extra;
            return readUnknown(in, more, len + 1, limit);
        }
        return readUnknown(in, new byte[CHUNK], 0, limit);
    }

    private static byte[] readUnknown(InputStream in, byte[] start, int already, long limit) throws IOException {
        byte[] buf = start;
        int len = already;
        while (true) {
            if (len > limit) {
                throw new PayloadTooLargeException(len, limit);
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit + 1));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                break;
            }
            len += n;
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    /** The body is larger than the server accepts. */
    public static final class PayloadTooLargeException extends RuntimeException implements dev.seraphim.failure.Failure {
        public PayloadTooLargeException(long size, long limit) {
            super("the request body of " + size + " bytes exceeds the limit of " + limit
                    + " bytes (seraphim.api.max.body.bytes)");
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.TOO_LARGE;
        }
    }
}
