package dev.seraphim.backup;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backup holds, written last: a backup directory without {@code manifest.json} is partial and is
 * never restored. Rows and the SHA-256 of each table's ordered COPY text (what a restore must reproduce), and
 * the SHA-256 and size of every file in the backup.
 */
public record BackupManifest(int format, String createdAt, String schemaVersion, long jobExecution,
                             List<Table> tables, List<FileEntry> files) {
    public static final String FILE = "manifest.json";

    public record Table(String name, long rows, String sha256) {
    }

    public record FileEntry(String path, long bytes, String sha256) {
    }

    public String toJson() {
        JsonArrayBuilder t = Json.createArrayBuilder();
        tables.forEach(x -> t.add(Json.createObjectBuilder().add("name", x.name()).add("rows", x.rows()).add("sha256", x.sha256())));
        JsonArrayBuilder f = Json.createArrayBuilder();
        files.forEach(x -> f.add(Json.createObjectBuilder().add("path", x.path()).add("bytes", x.bytes()).add("sha256", x.sha256())));
        return Json.createObjectBuilder().add("format", format).add("created_at", createdAt).add("schema_version", schemaVersion)
                .add("job_execution", jobExecution).add("tables", t).add("files", f).build().toString();
    }

    public static BackupManifest read(Path backup) throws IOException {
        Path file = backup.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IOException("backup " + backup.getFileName() + " has no " + FILE + ": it is partial (its backup never finished)");
        }
        JsonObject o;
        try (JsonReader r = Json.createReader(new StringReader(Files.readString(file, StandardCharsets.UTF_8)))) {
            o = r.readObject();
        } catch (RuntimeException e) {
            throw new IOException("backup " + backup.getFileName() + ": " + FILE + " is not valid JSON");
        }
        List<Table> tables = new ArrayList<>();
        for (JsonValue v : o.getJsonArray("tables")) {
            JsonObject x = v.asJsonObject();
            tables.add(new Table(x.getString("name"), x.getJsonNumber("rows").longValue(), x.getString("sha256")));
        }
        List<FileEntry> files = new ArrayList<>();
        for (JsonValue v : o.getJsonArray("files")) {
            JsonObject x = v.asJsonObject();
            files.add(new FileEntry(x.getString("path"), x.getJsonNumber("bytes").longValue(), x.getString("sha256")));
        }
        return new BackupManifest(o.getInt("format"), o.getString("created_at"), o.getString("schema_version"),
                o.getJsonNumber("job_execution").longValue(), tables, files);
    }
}
