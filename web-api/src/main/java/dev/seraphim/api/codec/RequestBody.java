package dev.seraphim.api.codec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a request body into memory, refusing more than the configured limit (HTTP 413). */
public final class RequestBody {
    private RequestBody() {
    }

    public static byte[] read(InputStream in, long contentLength, long limit) throws IOException {
        if (contentLength > limit) {
            throw new PayloadTooLargeException(contentLength, limit);
        }
        byte[] buf = new byte[(int) Math.min(Math.max(contentLength, 8192), limit + 1)];
        int len = 0;
        while (true) {
            if (len == buf.length) {
                if (len > limit) {
                    throw new PayloadTooLargeException(len, limit);
                }
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit + 1));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                break;
            }
            len += n;
        }
        if (len > limit) {
            throw new PayloadTooLargeException(len, limit);
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    /** The body is larger than the server accepts. */
    public static final class PayloadTooLargeException extends RuntimeException {
        public PayloadTooLargeException(long size, long limit) {
            super("the request body of " + size + " bytes exceeds the limit of " + limit
                    + " bytes (seraphim.api.max.body.bytes)");
        }
    }
}
