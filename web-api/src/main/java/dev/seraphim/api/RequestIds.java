package dev.seraphim.api;

import com.ibm.websphere.logging.hpel.LogRecordContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's X-Request-Id when it is a plain token, else the trace id of a W3C
 * traceparent, else a new one. The id is echoed in the response's X-Request-Id, and Liberty writes it as
 * {@code ext_requestId} in every JSON log line logged on the request's thread (LogRecordContext); lines logged
 * for the request elsewhere (the access line, written when its batch completes) set it themselves.
 */
public class RequestIds implements Filter {
    public static final String HEADER = "X-Request-Id";
    public static final String PROPERTY = "seraphim.request.id";
    public static final String ORIGIN = "seraphim.request.origin";
    public static final String LOG_FIELD = "requestId";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        WorkerThreadAnswers.locate(request);
        String id = ensure((HttpServletRequest) request, (HttpServletResponse) response);
        LogRecordContext.addExtension(LOG_FIELD, id);
        try {
            chain.doFilter(request, response);
        } finally {
            LogRecordContext.removeExtension(LOG_FIELD);
        }
    }

    /**
     * Gives the request its id and origin once (authentication runs before any filter, and needs them too);
     * the key's pseudonym is added once the caller is known.
     */
    public static String ensure(HttpServletRequest http, HttpServletResponse response) {
        Object existing = http.getAttribute(PROPERTY);
        if (existing instanceof String id) {
            return id;
        }
        String id = idOf(http.getHeader(HEADER), http.getHeader("traceparent"));
        http.setAttribute(PROPERTY, id);
        http.setAttribute(ORIGIN, new RequestOrigin(id, ClientAddress.mask(http.getRemoteAddr()), null));
        response.setHeader(HEADER, id);
        return id;
    }

    /** The origin of the request being served on this thread (set by this filter before any resource runs). */
    public static RequestOrigin origin(HttpServletRequest http) {
        Object o = http.getAttribute(ORIGIN);
        return o instanceof RequestOrigin origin ? origin : new RequestOrigin(newId(), null, null);
    }

    /** The id a request carries (X-Request-Id, else a W3C traceparent's trace id), else a new one. */
    public static String idOf(String requestId, String traceparent) {
        if (requestId != null && TOKEN.matcher(requestId).matches()) {
            return requestId;
        }
        if (traceparent != null) {
            Matcher m = TRACEPARENT.matcher(traceparent.trim());
            if (m.matches() && !m.group(1).equals("0".repeat(32))) {
                return m.group(1);
            }
        }
        return newId();
    }

    /**
     * A random (version 4) UUID from SecureRandom. A cheaper generator was tried (ThreadLocalRandom, about 1 % of a
     * small request's CPU): its ids can be predicted from one that was seen, and an id is also a handle (feedback
     * names a served prediction by it), so it must not be guessable.
     */
    static String newId() {
        return UUID.randomUUID().toString();
    }
}
