package dev.seraphim.api.codec;

import dev.seraphim.api.errors.ApiError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts, from the bytes already read under the body
 * limit: no temporary files, each part's content a copy of its span.
 */
public final class Multipart {
    public record Part(String name, Optional<String> fileName, byte[] content) {
    }

    static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary=(\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
    static final Pattern NAME = Pattern.compile("(?i);\\s*name=\"([^\"]*)\"");
    static final Pattern FILE_NAME = Pattern.compile("(?i);\\s*filename=\"([^\"]*)\"");
    private static final int MAX_PARTS = 1024;

    private Multipart() {
    }

    public static boolean is(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    public static List<Part> parse(byte[] body, String contentType) {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw new ApiError.BadRequestException("a multipart/form-data body needs a boundary in its Content-Type");
        }
        byte[] delimiter = ("--" + (m.group(2) != null ? m.group(2) : m.group(3))).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new ApiError.BadRequestException("the multipart body does not contain its boundary");
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            int after = at + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts;  // the closing delimiter
            }
            int headersStart = skipLineEnd(body, after);
            int headersEnd = indexOf(body, new byte[]{'\r', '\n', '\r', '\n'}, headersStart);
            if (headersEnd < 0) {
                throw new ApiError.BadRequestException("multipart part " + (parts.size() + 1) + " has no blank line after its headers");
            }
            int contentStart = headersEnd + 4;
            byte[] next = concat(new byte[]{'\r', '\n'}, delimiter);
            int contentEnd = indexOf(body, next, contentStart);
            if (contentEnd < 0) {
                throw new ApiError.BadRequestException("multipart part " + (parts.size() + 1) + " is not closed by the boundary (a truncated body?)");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            parts.add(part(headers, Arrays.copyOfRange(body, contentStart, contentEnd), parts.size() + 1));
            if (parts.size() > MAX_PARTS) {
                throw new ApiError.BadRequestException("a multipart body may have at most " + MAX_PARTS + " parts");
            }
            at = contentEnd + 2;
        }
    }

    private static Part part(String headers, byte[] content, int number) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                Matcher name = NAME.matcher(line);
                if (!name.find()) {
                    break;
                }
                Matcher file = FILE_NAME.matcher(line);
                return new Part(name.group(1), file.find() ? Optional.of(file.group(1)) : Optional.empty(), content);
            }
        }
        throw new ApiError.BadRequestException("multipart part " + number + " has no Content-Disposition: form-data; name=\"...\"");
    }

    private static int skipLineEnd(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') {
            return i + 2;
        }
        throw new ApiError.BadRequestException("the multipart boundary line must end with CRLF");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
