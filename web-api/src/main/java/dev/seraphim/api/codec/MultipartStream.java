package dev.seraphim.api.codec;

import dev.seraphim.api.errors.ApiError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * A {@code multipart/form-data} body (RFC 7578) read part by part as it arrives, for uploads too large to hold:
 * each part's content is a stream that ends at the next boundary, so a model file goes straight to the store's
 * staging area, never whole into memory and never to a container's temporary file.
 */
public final class MultipartStream {
    /** One part; its content must be read (or left to {@link #next} to skip) before the next part. */
    public final class Part {
        private final String name;
        private final Optional<String> fileName;
        private final InputStream content = new Content();

        private Part(String name, Optional<String> fileName) {
            this.name = name;
            this.fileName = fileName;
        }

        public String name() {
            return name;
        }

        public Optional<String> fileName() {
            return fileName;
        }

        public InputStream content() {
            return content;
        }

        /** The whole content as UTF-8 text, refused with 400 beyond {@code maxBytes}. */
        public String text(int maxBytes) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            for (int n; (n = content.read(b)) > 0; ) {
                if (out.size() + n > maxBytes) {
                    throw new ApiError.BadRequestException("the multipart part '" + name + "' may have at most " + maxBytes + " bytes");
                }
                out.write(b, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_PARTS = 64;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    private int pos;
    private int lim;
    private boolean eof;
    /** True while the current part's content has not reached its delimiter. */
    private boolean inContent = true;
    private boolean closed;
    private int parts;

    private MultipartStream(InputStream in, byte[] delimiter) {
        this.in = in;
        this.delimiter = delimiter;
        this.buf = new byte[65536 + delimiter.length];
        // a virtual line end before the body, so that a first boundary at byte 0 matches like every later one
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    public static MultipartStream open(InputStream in, String contentType) {
        Matcher m = contentType == null ? null : Multipart.BOUNDARY.matcher(contentType);
        if (m == null || !m.find()) {
            throw new ApiError.BadRequestException("a multipart/form-data body needs a boundary in its Content-Type");
        }
        String boundary = m.group(2) != null ? m.group(2) : m.group(3);
        return new MultipartStream(in, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The next part, after skipping what is left of the current one; null after the closing boundary. */
    public Part next() throws IOException {
        while (inContent) {  // the preamble, or the rest of the part before
            if (skipContent() < 0) {
                break;
            }
        }
        if (closed) {
            return null;
        }
        need(2);
        if (lim - pos >= 2 && buf[pos] == '-' && buf[pos + 1] == '-') {
            closed = true;
            return null;
        }
        readLine(); // transport padding after the boundary, then its CRLF
        String name = null;
        Optional<String> fileName = Optional.empty();
        int headerBytes = 0;
        for (String line; !(line = readLine()).isEmpty(); ) {
            headerBytes += line.length() + 2;
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new ApiError.BadRequestException("the headers of multipart part " + (parts + 1) + " exceed " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                Matcher n = Multipart.NAME.matcher(line);
                name = n.find() ? n.group(1) : null;
                Matcher f = Multipart.FILE_NAME.matcher(line);
                fileName = f.find() ? Optional.of(f.group(1)) : Optional.empty();
            }
        }
        if (name == null) {
            throw new ApiError.BadRequestException("multipart part " + (parts + 1) + " has no Content-Disposition: form-data; name=\"...\"");
        }
        if (++parts > MAX_PARTS) {
            throw new ApiError.BadRequestException("a multipart body may have at most " + MAX_PARTS + " parts");
        }
        inContent = true;
        return new Part(name, fileName);
    }

    private long skipContent() throws IOException {
        byte[] scratch = new byte[8192];
        return readContent(scratch, 0, scratch.length);
    }

    /** Content bytes up to the next delimiter; -1 (once) when the delimiter is reached, which it then consumes. */
    private int readContent(byte[] b, int off, int len) throws IOException {
        if (!inContent) {
            return -1;
        }
        need(delimiter.length);
        int at = indexOf(pos, lim);
        if (at == pos) {
            pos += delimiter.length;
            inContent = false;
            return -1;
        }
        int available = at >= 0 ? at - pos : lim - pos - (delimiter.length - 1);
        if (available <= 0) {
            throw new ApiError.BadRequestException("the multipart body ends before its closing boundary (a truncated upload?)");
        }
        int n = Math.min(len, available);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** One header line (CRLF-terminated), ISO-8859-1 bytes read as UTF-8 where they form it. */
    private String readLine() throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = pos + scanned; i + 1 < lim; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    String line = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
                    pos = i + 2;
                    return line;
                }
            }
            scanned = Math.max(0, lim - pos - 1);
            if (scanned >= MAX_HEADER_BYTES) {
                throw new ApiError.BadRequestException("a multipart header line exceeds " + MAX_HEADER_BYTES + " bytes");
            }
            if (!fill()) {
                throw new ApiError.BadRequestException("the multipart body ends inside a part's headers (a truncated upload?)");
            }
        }
    }

    /** Fills until {@code n} bytes are buffered or the body ends. */
    private void need(int n) throws IOException {
        while (lim - pos < n && fill()) {
            // keep reading
        }
    }

    /** Compacts the buffer and reads once more; false at the end of the body. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            return true;  // full: the caller consumes before asking again
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
            return false;
        }
        lim += n;
        return true;
    }

    private int indexOf(int from, int to) {
        outer:
        for (int i = from; i <= to - delimiter.length; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private final class Content extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : readContent(b, off, len);
        }
    }
}
