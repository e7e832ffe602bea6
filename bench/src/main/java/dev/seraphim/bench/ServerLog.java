package dev.seraphim.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server's own log says about a run: its SEVERE lines and Liberty's SRVE8504W (an async listener that
 * failed), counted from Liberty's JSON message logs for the lines written since the run began. A request the
 * server failed to answer shows there even where the client saw a 200 (docs/architecture.md, "Answers written away from the request's thread").
 */
final class ServerLog {
    private static final Pattern TIME = Pattern.compile("\"ibm_datetime\":\"([^\"]+)\"");
    private static final Pattern LEVEL = Pattern.compile("\"loglevel\":\"([A-Z]+)\"");
    private static final Pattern MESSAGE_ID = Pattern.compile("\"ibm_messageId\":\"([A-Z0-9]+)\"");
    private static final DateTimeFormatter LIBERTY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private ServerLog() {
    }

    static Map<String, Object> since(Path logs, Instant start) throws IOException {
        long severe = 0;
        long listenerFailures = 0;
        List<String> firstSevere = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(logs)) {
            try (var list = Files.list(logs)) {
                list.filter(p -> p.getFileName().toString().startsWith("messages")).sorted().forEach(files::add);
            }
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                Instant at = time(line);
                if (at == null || at.isBefore(start)) {
                    continue;
                }
                Matcher level = LEVEL.matcher(line);
                if (level.find() && level.group(1).equals("SEVERE")) {
                    severe++;
                    if (firstSevere.size() < 3) {
                        firstSevere.add(line.length() > 400 ? line.substring(0, 400) + "…" : line);
                    }
                }
                Matcher id = MESSAGE_ID.matcher(line);
                if (id.find() && id.group(1).equals("SRVE8504W")) {
                    listenerFailures++;
                }
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("severe_lines", severe);
        summary.put("async_listener_failures", listenerFailures);
        summary.put("first_severe_lines", firstSevere);
        summary.put("files", files.stream().map(p -> p.getFileName().toString()).toList());
        return summary;
    }

    private static Instant time(String line) {
        Matcher m = TIME.matcher(line);
        if (!m.find()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(m.group(1), LIBERTY_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
