package dev.seraphim.api.edge;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Request bodies that arrive too slowly. A request thread waits on each read of a body; 200 connections
 * trickling one byte a second held 200 threads and stalled every other request for 11 s, and Liberty's
 * read timeout is per read, so a steady trickle never trips it. Here a body must keep up a minimum data rate
 * once its grace period is over (else 408), and one key may have only so many bodies arriving at once
 * (else 429). Both refusals are counted in seraphim_http_bodies_refused_total.
 */
@ApplicationScoped
public class SlowBodies {
    private static final Logger LOG = Logger.getLogger(SlowBodies.class.getName());

    @Inject
    @ConfigProperty(name = "seraphim.api.body.min.bytes.per.second", defaultValue = "1024")
    long minBytesPerSecond;

    @Inject
    @ConfigProperty(name = "seraphim.api.body.grace.seconds", defaultValue = "10")
    long graceSeconds;

    @Inject
    @ConfigProperty(name = "seraphim.api.uploads.per.key", defaultValue = "32")
    int perKey;

    @Inject
    MetricRegistry metrics;

    private final ConcurrentMap<String, AtomicInteger> arriving = new ConcurrentHashMap<>();
    Counter tooSlow;
    Counter tooMany;

    @PostConstruct
    void start() {
        Metadata refused = Metadata.builder().withName("seraphim_http_bodies_refused")
                .withDescription("Request bodies refused at the edge: too_slow (below the minimum data rate, 408),"
                        + " too_many (the key's concurrent bodies at the cap, 429)").build();
        tooSlow = metrics.counter(refused, new Tag("reason", "too_slow"));
        tooMany = metrics.counter(refused, new Tag("reason", "too_many"));
    }

    static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /** A body of this key, {@code length} bytes long (-1: chunked), is about to be read. */
    Upload begin(String key, long length) {
        return new Upload(arriving.computeIfAbsent(key, k -> new AtomicInteger()), System.nanoTime(), length);
    }

    /**
     * One body arriving: counted against its key from the first read that waits for it until its last byte (or the
     * end of its request). A body already in the server's buffers is read at once and held no place; a request whose
     * body is in waits for its model without holding one either. Only bodies still arriving count.
     */
    final class Upload {
        private final AtomicInteger count;
        private final long start;
        private final long length;
        private long bytes;
        private boolean counted;
        private boolean ended;

        private Upload(AtomicInteger count, long start, long length) {
            this.count = count;
            this.start = start;
            this.length = length;
        }

        /** Before each read: the first one takes the body's place in its key's cap, or refuses it with 429. */
        void reading() throws TooManyBodiesException {
            if (counted || ended) {
                return;
            }
            synchronized (this) {
                counted = true;
            }
            if (count.incrementAndGet() > perKey) {
                end();
                tooMany.inc();
                throw new TooManyBodiesException("this API key already has " + perKey + " request bodies arriving at once"
                        + " (seraphim.api.uploads.per.key); retry when one has finished");
            }
        }

        void read(int n) throws SlowBodyException {
            if (n < 0) {
                end();
                return;
            }
            bytes += n;
            if (length >= 0 && bytes >= length) {
                end();
                return;
            }
            long elapsed = System.nanoTime() - start;
            if (elapsed > graceSeconds * 1_000_000_000L && bytes * 1_000_000_000.0 / elapsed < minBytesPerSecond) {
                end();
                tooSlow.inc();
                LOG.fine(() -> "refused a body arriving at " + (long) (bytes * 1e9 / elapsed) + " bytes/s");
                throw new SlowBodyException("the request body arrived at " + (long) (bytes * 1e9 / elapsed)
                        + " bytes/s, below the server's minimum of " + minBytesPerSecond + " bytes/s after "
                        + graceSeconds + " s (seraphim.api.body.min.bytes.per.second)");
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                if (counted) {
                    count.decrementAndGet();
                }
            }
        }
    }

    /** A body refused because its key has its cap of bodies arriving: an IOException, ending the read where it is. */
    public static final class TooManyBodiesException extends IOException implements dev.seraphim.failure.Failure {
        TooManyBodiesException(String message) {
            super(message);
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.TOO_MANY_REQUESTS;
        }

        @Override
        public java.util.OptionalInt retryAfterSeconds() {
            return java.util.OptionalInt.of(1);
        }
    }

    /** A body that arrived too slowly: an IOException, so it ends the read wherever the body is read. */
    public static final class SlowBodyException extends IOException implements dev.seraphim.failure.Failure {
        SlowBodyException(String message) {
            super(message);
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.CLIENT_TOO_SLOW;
        }
    }

    static final class GuardedRequest extends HttpServletRequestWrapper {
        private final Upload upload;
        private ServletInputStream guarded;

        GuardedRequest(HttpServletRequest request, Upload upload) {
            super(request);
            this.upload = upload;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (guarded == null) {
                guarded = new GuardedStream(super.getInputStream(), upload);
            }
            return guarded;
        }
    }

    private static final class GuardedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final Upload upload;

        GuardedStream(ServletInputStream in, Upload upload) {
            this.in = in;
            this.upload = upload;
        }

        @Override
        public int read() throws IOException {
            upload.reading();
            int b = in.read();
            upload.read(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            upload.reading();
            int n = in.read(b, off, len);
            upload.read(n);
            return n;
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
