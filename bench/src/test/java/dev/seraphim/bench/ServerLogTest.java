package dev.seraphim.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerLogTest {
    private static String line(String time, String level, String id, String message) {
        return "{\"type\":\"liberty_message\",\"message\":\"" + message + "\",\"ibm_datetime\":\"" + time + "\""
                + (id == null ? "" : ",\"ibm_messageId\":\"" + id + "\"") + ",\"loglevel\":\"" + level + "\"}";
    }

    @Test
    void countsTheRunsSevereLinesAndListenerFailuresOnly(@TempDir Path logs) throws Exception {
        Files.write(logs.resolve("messages_26.12.02_13.22.39.0.log"), List.of(
                line("2026-12-02T13:23:15.054+0000", "SEVERE", null, "an earlier run's failure"),
                line("2026-12-02T13:23:15.054+0000", "WARNING", "SRVE8504W", "an earlier run's listener")));
        Files.write(logs.resolve("messages.log"), List.of(
                line("2026-12-02T14:29:41.257+0000", "INFO", null, "access lines in the log"),
                line("2026-12-02T14:47:54.189+0000", "WARNING", "SRVE8504W", "WeldInitialAsyncListener during onComplete"),
                line("2026-12-02T14:47:54.339+0000", "WARNING", "SRVE8504W", "WeldTerminalAsyncListener during onComplete"),
                line("2026-12-02T14:50:00.000+0000", "SEVERE", null, "unexpected failure while serving a request"),
                "not a JSON line at all"));
        Files.writeString(logs.resolve("console.log"), line("2026-12-02T14:50:00.000+0000", "SEVERE", null, "console copy"));

        Map<String, Object> summary = ServerLog.since(logs, Instant.parse("2026-12-02T14:00:00Z"));

        assertEquals(1L, summary.get("severe_lines"));
        assertEquals(2L, summary.get("async_listener_failures"));
        List<?> first = (List<?>) summary.get("first_severe_lines");
        assertEquals(1, first.size());
        assertTrue(first.get(0).toString().contains("unexpected failure while serving a request"), first.toString());
        assertEquals(List.of("messages.log", "messages_26.12.02_13.22.39.0.log"), summary.get("files"));
    }

    @Test
    void noLogsIsNoFailures(@TempDir Path empty) throws Exception {
        Map<String, Object> summary = ServerLog.since(empty.resolve("absent"), Instant.EPOCH);
        assertEquals(0L, summary.get("severe_lines"));
        assertEquals(0L, summary.get("async_listener_failures"));
    }
}
