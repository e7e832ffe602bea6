package dev.seraphim.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Multipart registrations against /api/v1/models, and the demo models' files to register. */
final class Registrations {
    static final String MLP_SIGNATURE = "\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,16]}],"
            + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]";

    private Registrations() {
    }

    /** A model name no other test or run uses. */
    static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    static byte[] demoModel(String file) throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("seraphim.it.models"), file));
    }

    static HttpResponse<String> register(String metadataJson, String fileName, byte[] file) throws Exception {
        return Seraphim.send(registration(Seraphim.uri("/api/v1/models"), metadataJson, fileName, file));
    }

    /** A registration to any server's /api/v1/models, authenticated with the admin key. */
    static HttpRequest registration(java.net.URI endpoint, String metadataJson, String fileName, byte[] file) throws IOException {
        String boundary = "seraphim-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
                + metadataJson + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(file);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(endpoint).header("Authorization", "Bearer " + Seraphim.ADMIN_KEY)
                .timeout(java.time.Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    static HttpResponse<String> call(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = Seraphim.request((path)).header("Content-Type", "application/json");
        HttpRequest request = b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build();
        return Seraphim.send(request);
    }

    /** A TorchServe-style archive: MAR-INF/MANIFEST.json plus the named entries. */
    static byte[] mar(String serializedFile, String entryName, byte[] entry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("MAR-INF/MANIFEST.json"));
            zip.write(("{\"model\":{\"modelName\":\"from-mar\",\"serializedFile\":\"" + serializedFile + "\",\"handler\":\"base_handler\"}}")
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(entryName));
            zip.write(entry);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /**
     * tabular-mlp.pt with its output classes rotated (the last layer's rows and bias moved by one): a model of the same
     * signature whose argmax differs from the original's on every row, for the shadow-agreement guard.
     */
    static byte[] rotatedMlp() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // read through the central directory: the file's stored entries carry data descriptors ZipInputStream refuses
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(Path.of(System.getProperty("seraphim.it.models"), "tabular-mlp.pt").toFile());
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] data;
                try (java.io.InputStream entry = in.getInputStream(e)) {
                    data = entry.readAllBytes();
                }
                if (e.getName().endsWith("/data/4")) {
                    data = rotateRows(data, 3);   // the last layer's weight, [3, 64]
                } else if (e.getName().endsWith("/data/5")) {
                    data = rotateRows(data, 3);   // its bias, [3]
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                copy.setCompressedSize(data.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(data);
                copy.setCrc(crc.getValue());
                zip.putNextEntry(copy);
                zip.write(data);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] rotateRows(byte[] data, int rows) {
        int row = data.length / rows;
        byte[] rotated = new byte[data.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data, r * row, rotated, ((r + 1) % rows) * row, row);
        }
        return rotated;
    }
}
