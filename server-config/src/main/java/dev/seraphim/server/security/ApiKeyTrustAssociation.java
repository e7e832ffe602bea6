package dev.seraphim.server.security;

import com.ibm.websphere.security.WebTrustAssociationException;
import com.ibm.websphere.security.WebTrustAssociationFailedException;
import com.ibm.wsspi.security.tai.TAIResult;
import com.ibm.wsspi.security.tai.TrustAssociationInterceptor;
import com.ibm.wsspi.security.token.AttributeNameConstants;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.security.auth.Subject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Lets Liberty's own protected endpoints (the /metrics application) authenticate the same API keys as
 * Seraphim's API, sent as {@code Authorization: Bearer <key>} or {@code X-API-Key}. The keys are checked by
 * the application's key directory, reached through the MBean it registers ({@value #VERIFIER}): the server
 * and the application share no class, only this JMX contract, and revocations apply here as everywhere. The
 * caller becomes a member of the group named after its key's role in realm {@code seraphim}; server.xml grants
 * the metrics reader role to {@code group:seraphim/operator} and the administrator role to
 * {@code group:seraphim/admin}. The application's own URLs are left to its Jakarta Security mechanism.
 */
public class ApiKeyTrustAssociation implements TrustAssociationInterceptor {
    static final String REALM = "seraphim";
    static final String VERIFIER = "dev.seraphim:type=KeyVerifier";

    /**
     * /openapi (Liberty's, unprotected by itself) is guarded here: every call needs a live key of any role.
     * /metrics is guarded by Liberty (reader role) unless opened by configuration: a key presented there is
     * authenticated here, and a call without one is left to the metrics application's own answer.
     */
    @Override
    public boolean isTargetInterceptor(HttpServletRequest req) throws WebTrustAssociationException {
        String uri = req.getRequestURI();
        if (uri == null) {
            return false;
        }
        return hasDotSegment(uri) || under(uri, "/openapi") || (under(uri, "/metrics") && secret(req) != null);
    }

    /**
     * "." and ".." segments (also percent-encoded): Liberty routes such a URI to an application by its raw
     * prefix but serves it by its canonical path, so "/health/ready/../../x" reached the health application's
     * static-file handler with a path outside it (answered 500). No client needs them (RFC 3986 §5.2.4 removes
     * them before sending): they are refused here, for every application, with 400.
     */
    static boolean hasDotSegment(String rawUri) {
        for (String segment : rawUri.split("/", -1)) {
            int semicolon = segment.indexOf(';');
            String name = decoded(semicolon >= 0 ? segment.substring(0, semicolon) : segment).strip();
            // "..%20" too: the web container trims the segment and then mishandles the ".." it finds (HTTP 500)
            if (name.equals(".") || name.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** Percent-decoded as bytes of ISO-8859-1 (enough to recognise dots and blanks); a bad escape stays as it is. */
    private static String decoded(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder b = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()
                    && Character.digit(segment.charAt(i + 1), 16) >= 0 && Character.digit(segment.charAt(i + 2), 16) >= 0) {
                b.append((char) Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean under(String uri, String root) {
        return uri.equals(root) || uri.startsWith(root + "/") || uri.startsWith(root + ";");
    }

    @Override
    public TAIResult negotiateValidateandEstablishTrust(HttpServletRequest req, HttpServletResponse res)
            throws WebTrustAssociationFailedException {
        if (hasDotSegment(req.getRequestURI())) {
            try {
                res.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                res.setContentType("text/plain;charset=UTF-8");
                res.getWriter().write("the request path may not contain '.' or '..' segments; send the path they lead to\n");
            } catch (java.io.IOException ignored) {
                // the status alone still answers the caller
            }
            return TAIResult.create(HttpServletResponse.SC_BAD_REQUEST);
        }
        String secret = secret(req);
        Optional<String[]> key = secret == null ? Optional.empty() : verify(secret);
        if (key.isEmpty()) {
            res.setHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
            return TAIResult.create(HttpServletResponse.SC_UNAUTHORIZED);
        }
        String id = key.get()[0];
        String role = key.get()[1];
        Hashtable<String, Object> credentials = new Hashtable<>();
        credentials.put(AttributeNameConstants.WSCREDENTIAL_UNIQUEID, "user:" + REALM + "/key-" + id);
        credentials.put(AttributeNameConstants.WSCREDENTIAL_USERID, "key-" + id);
        credentials.put(AttributeNameConstants.WSCREDENTIAL_SECURITYNAME, "key-" + id);
        credentials.put(AttributeNameConstants.WSCREDENTIAL_REALM, REALM);
        // Liberty casts this to ArrayList
        credentials.put(AttributeNameConstants.WSCREDENTIAL_GROUPS, new ArrayList<>(List.of("group:" + REALM + "/" + role)));
        // the subject of a key and role is built once and then taken from Liberty's authentication cache; the key
        // itself is verified above on every request
        credentials.put(AttributeNameConstants.WSCREDENTIAL_CACHE_KEY, "seraphim-trust:key-" + id + ":" + role);
        Subject subject = new Subject();
        subject.getPublicCredentials().add(credentials);
        return TAIResult.create(HttpServletResponse.SC_OK, "key-" + id, subject);
    }

    /** {keyId, role} of a live key; empty for anything else, and while the application is not running. */
    private static Optional<String[]> verify(String secret) throws WebTrustAssociationFailedException {
        try {
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(VERIFIER), "verify",
                    new Object[]{secret}, new String[]{String.class.getName()});
            return answer instanceof String s && s.indexOf(' ') > 0 ? Optional.of(s.split(" ", 2)) : Optional.empty();
        } catch (InstanceNotFoundException notStarted) {
            return Optional.empty();
        } catch (JMException e) {
            throw new WebTrustAssociationFailedException("API key verification failed: " + e.getMessage());
        }
    }

    private static String secret(HttpServletRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        String header = req.getHeader("X-API-Key");
        return header == null ? null : header.trim();
    }

    @Override
    public int initialize(Properties props) {
        return 0;
    }

    @Override
    public String getVersion() {
        return "1";
    }

    @Override
    public String getType() {
        return "Seraphim API keys";
    }

    @Override
    public void cleanup() {
    }
}
