package dev.seraphim.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the prediction audit trail through GET /api/v1/audit, following next_cursor to the last page. */
final class AuditRecords {
    private AuditRecords() {
    }

    /** Every record matching the query, by request id (a request id seen twice fails the test). */
    static Map<String, JsonObject> read(String query, int pageSize) throws Exception {
        Map<String, JsonObject> byId = new HashMap<>();
        String cursor = null;
        do {
            String path = "/api/v1/audit?" + query + "&limit=" + pageSize + (cursor == null ? "" : "&cursor=" + enc(cursor));
            HttpResponse<String> r = Seraphim.get(path);
            assertEquals(200, r.statusCode(), r.body());
            JsonObject page = Seraphim.json(r.body());
            assertTrue(page.getJsonArray("records").size() <= pageSize, "a page holds at most limit records");
            for (JsonValue v : page.getJsonArray("records")) {
                JsonObject o = v.asJsonObject();
                JsonObject earlier = byId.put(o.getString("request_id"), o);
                assertTrue(earlier == null, "request " + o.getString("request_id") + " audited twice: " + earlier + " and " + o);
            }
            cursor = page.isNull("next_cursor") ? null : page.getString("next_cursor");
        } while (cursor != null);
        return byId;
    }

    /** Waits (up to {@code seconds}) until every expected request id is in the trail; returns what was read. */
    static Map<String, JsonObject> awaitAll(String query, Set<String> expected, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Map<String, JsonObject> found;
        do {
            found = read(query, 100);
            if (found.keySet().containsAll(expected)) {
                return found;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return found;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
