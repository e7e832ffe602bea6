package dev.seraphim.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record and text handlers, declared at registration, changed by PATCH and taken from a .mar's manifest: what each
 * path answers is what the model answers for the vector or token ids this test computes itself, sent as tensors
 * through OIP.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RecordAndTextHandlersIT {
    /** 12 numeric features (f0 standardised) and a colour one-hot over 4: the 16 columns of tabular-mlp. */
    private static final String FEATURES = "[{\"name\":\"f0\",\"mean\":10,\"std\":2},\"f1\",\"f2\",\"f3\",\"f4\",\"f5\",\"f6\",\"f7\",\"f8\",\"f9\",\"f10\",\"f11\","
            + "{\"name\":\"color\",\"categories\":[\"red\",\"green\",\"blue\",\"gray\"]}]";
    private static final List<String> CLASSES = List.of("low", "mid", "high");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void recordsThroughEveryPathAnswerWhatTheirVectorsAnswer() throws Exception {
        String model = registerRecordModel();
        Map<String, Object> a = record(1);
        Map<String, Object> b = record(2);
        // TorchServe: one record, then a list of two
        HttpResponse<String> one = Seraphim.send(Seraphim.post("/predictions/" + model, json(a)));
        assertEquals(200, one.statusCode(), one.body());
        assertClasses(model, vector(a), Seraphim.json(one.body()), "TorchServe record");
        HttpResponse<String> two = Seraphim.send(Seraphim.post("/predictions/" + model, "[" + json(a) + "," + json(b) + "]"));
        assertEquals(200, two.statusCode(), two.body());
        JsonArray answers = Seraphim.json("{\"a\":" + two.body() + "}").getJsonArray("a");
        assertClasses(model, vector(b), answers.getJsonObject(1), "TorchServe list, second record");
        // KServe V1 and the predict API
        HttpResponse<String> v1 = Seraphim.send(Seraphim.post("/v1/models/" + model + ":predict", "{\"instances\":[" + json(a) + "," + json(b) + "]}"));
        assertEquals(200, v1.statusCode(), v1.body());
        assertClasses(model, vector(a), Seraphim.json(v1.body()).getJsonArray("predictions").getJsonObject(0), "KServe V1");
        HttpResponse<String> p = Seraphim.send(Seraphim.post("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"features\":" + json(b) + "}}"));
        assertEquals(200, p.statusCode(), p.body());
        assertClasses(model, vector(b), Seraphim.json(p.body()).getJsonObject("prediction"), "predict");
        // bad records: 400 naming the feature
        Map<String, Object> missing = record(1);
        missing.remove("f3");
        assertRefused("/predictions/" + model, json(missing), 400, "feature 'f3' is missing");
        Map<String, Object> unknown = record(1);
        unknown.put("height", 3);
        assertRefused("/predictions/" + model, json(unknown), 400, "unknown feature 'height'");
        Map<String, Object> text = record(1);
        text.put("f5", "five");
        assertRefused("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"features\":" + json(text) + "}}", 400, "feature 'f5' must be a number");
        Map<String, Object> colour = record(1);
        colour.put("color", "purple");
        assertRefused("/v1/models/" + model + ":predict", "{\"instances\":[" + json(colour) + "]}", 400, "must be one of [red, green, blue, gray]");
    }

    @Test
    void aHandlerIsChangedAndRemovedByPatchAndCheckedFirst() throws Exception {
        String model = registerRecordModel();
        String version = "/api/v1/models/" + model + "/versions/1";
        HttpResponse<String> wrong = Registrations.call("PATCH", version, "{\"handler\":{\"type\":\"record\",\"features\":[\"a\",\"b\"]}}");
        assertEquals(400, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("feeds one FP32 input [-1, 2]"), wrong.body());
        HttpResponse<String> none = Registrations.call("PATCH", version, "{\"handler\":{\"type\":\"record\",\"features\":" + FEATURES + "}}");
        assertEquals(200, none.statusCode(), none.body());
        assertEquals("none", Seraphim.json(none.body()).getJsonObject("handler").getString("postprocess"));
        Map<String, Object> a = record(3);
        HttpResponse<String> raw = Seraphim.send(Seraphim.post("/predictions/" + model, json(a)));
        assertEquals(200, raw.statusCode(), raw.body());
        JsonArray logits = Seraphim.json("{\"a\":" + raw.body() + "}").getJsonArray("a");
        double[] expected = logits(model, vector(a));
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], logits.getJsonNumber(i).doubleValue(), 1e-5, "the row's numbers, as they are (postprocess none)");
        }
        HttpResponse<String> removed = Registrations.call("PATCH", version, "{\"handler\":null}");
        assertEquals(200, removed.statusCode(), removed.body());
        assertEquals("null", Seraphim.json(removed.body()).get("handler").toString());
        assertRefused("/predictions/" + model, json(a), 400, "nested array");
    }

    @Test
    void textThroughEveryPathAnswersWhatItsTokenIdsAnswer() throws Exception {
        String model = Registrations.unique("txt");
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + model + "\",\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[-1,-1]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],\"padding\":{\"input_ids\":0},"
                + "\"handler\":{\"type\":\"text_classifier\",\"max_length\":32,\"labels\":{\"0\":\"negative\",\"1\":\"positive\"},\"tokenizer\":"
                + new String(ImageHandlerIT.resource("/tokenizer.json"), StandardCharsets.UTF_8) + "}}", "text-classifier.pt",
                Registrations.demoModel("text-classifier.pt"));
        assertEquals(201, r.statusCode(), r.body());
        String s1 = "This movie was really GREAT, I loved it!";
        String s2 = "the worst, most boring film";
        // TorchServe's text classifier call: the text itself as the body (curl -T sample_text.txt)
        HttpResponse<String> raw = Seraphim.send(Seraphim.request("/predictions/" + model).PUT(HttpRequest.BodyPublishers.ofString(s1)).build());
        assertEquals(200, raw.statusCode(), raw.body());
        assertText(model, s1, Seraphim.json(raw.body()), "TorchServe raw text");
        HttpResponse<String> oip = Seraphim.send(Seraphim.post("/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                + "\"shape\":[2],\"data\":[\"" + s1 + "\",\"" + s2 + "\"]}],\"outputs\":[{\"name\":\"labels\"}]}"));
        assertEquals(200, oip.statusCode(), oip.body());
        JsonObject labels = Seraphim.json(oip.body()).getJsonArray("outputs").getJsonObject(0);
        assertEquals("labels", labels.getString("name"));
        assertEquals(top(textProbabilities(model, s2)), labels.getJsonArray("data").getString(2), "second text's most probable class");
        HttpResponse<String> v1 = Seraphim.send(Seraphim.post("/v1/models/" + model + ":predict", "{\"instances\":[\"" + s1 + "\",\"" + s2 + "\"]}"));
        assertEquals(200, v1.statusCode(), v1.body());
        assertText(model, s2, Seraphim.json(v1.body()).getJsonArray("predictions").getJsonObject(1), "KServe V1");
        HttpResponse<String> p = Seraphim.send(Seraphim.post("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"text\":\"" + s2 + "\"}}"));
        assertEquals(200, p.statusCode(), p.body());
        assertText(model, s2, Seraphim.json(p.body()).getJsonObject("prediction"), "predict");
        // token ids stay accepted
        HttpResponse<String> ids = Seraphim.send(Seraphim.post("/predictions/" + model, "[" + java.util.Arrays.toString(wordPieces(s1)) + "]"));
        assertEquals(200, ids.statusCode(), ids.body());
        // over max_length: truncated by default; refused with 413 once the handler says so
        String longText = "good ".repeat(100);
        assertEquals(200, Seraphim.send(Seraphim.post("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"text\":\"" + longText + "\"}}")).statusCode());
        JsonObject handler = Seraphim.json(Seraphim.get("/api/v1/models/" + model + "/versions/1").body()).getJsonObject("handler");
        assertEquals(64, handler.getJsonObject("tokenizer").getString("sha256").length(), "the tokenizer shown by its digest: " + handler);
        HttpResponse<String> patched = Registrations.call("PATCH", "/api/v1/models/" + model + "/versions/1", "{\"handler\":{\"type\":\"text_classifier\","
                + "\"max_length\":32,\"overflow\":\"refuse\",\"tokenizer\":" + new String(ImageHandlerIT.resource("/tokenizer.json"), StandardCharsets.UTF_8) + "}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertRefused("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"text\":\"" + longText + "\"}}", 413, "this model takes at most 32");
        assertRefused("/api/v1/predict", "{\"model\":\"" + model + "\",\"input\":{\"image\":\"aGk=\"}}", 400, "takes text, not input.image");
    }

    @Test
    void aMarNamingTorchServesImageClassifierServesImagesWithItsLabels() throws Exception {
        String model = Registrations.unique("mar-img");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("MAR-INF/MANIFEST.json"));
            zip.write(("{\"model\":{\"modelName\":\"" + model + "\",\"serializedFile\":\"tiny-cnn.pt\",\"handler\":\"image_classifier\"}}").getBytes());
            zip.putNextEntry(new ZipEntry("tiny-cnn.pt"));
            zip.write(Registrations.demoModel("tiny-cnn.pt"));
            zip.putNextEntry(new ZipEntry("index_to_name.json"));
            zip.write(ImageHandlerIT.resource("/tiny-cnn.index_to_name.json"));
        }
        HttpResponse<String> r = Registrations.register("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[-1,3,224,224]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,10]}]}", model + ".mar", out.toByteArray());
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("image_classifier", Seraphim.json(r.body()).getJsonObject("handler").getString("type"));
        HttpResponse<String> answer = Seraphim.send(Seraphim.request("/predictions/" + model)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(ImageHandlerIT.resource("/images/shapes.jpg"))).build());
        assertEquals(200, answer.statusCode(), answer.body());
        ImageHandlerIT.assertSameTop(ImageHandlerIT.referenceTop5("shapes.jpg"), Seraphim.json(answer.body()), "a .mar's image_classifier");
    }

    private static String registerRecordModel() throws Exception {
        String model = Registrations.unique("rec");
        HttpResponse<String> r = Registrations.register("{\"name\":\"" + model + "\"," + Registrations.MLP_SIGNATURE + ",\"handler\":{\"type\":"
                + "\"record_classifier\",\"top_k\":3,\"labels\":{\"0\":\"low\",\"1\":\"mid\",\"2\":\"high\"},\"features\":" + FEATURES + "}}",
                "tabular-mlp.pt", Registrations.demoModel("tabular-mlp.pt"));
        assertEquals(201, r.statusCode(), r.body());
        return model;
    }

    private static Map<String, Object> record(int seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 11; i >= 0; i--) {  // any order: the handler puts them in the declared one
            m.put("f" + i, Math.round(Math.sin(seed * 7 + i) * 1000) / 100.0);
        }
        m.put("color", List.of("red", "green", "blue", "gray").get(seed % 4));
        return m;
    }

    /** The record as the model's 16 floats, computed here from the handler's declaration. */
    private static float[] vector(Map<String, Object> record) {
        float[] v = new float[16];
        for (int i = 0; i < 12; i++) {
            double x = ((Number) record.get("f" + i)).doubleValue();
            v[i] = (float) (i == 0 ? (x - 10) / 2 : x);
        }
        v[12 + List.of("red", "green", "blue", "gray").indexOf((String) record.get("color"))] = 1;
        return v;
    }

    private static String json(Map<String, Object> record) {
        StringBuilder b = new StringBuilder("{");
        record.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v instanceof String s ? "\"" + s + "\"" : v.toString()));
        return b.append("}").toString();
    }

    private static double[] logits(String model, float[] vector) throws Exception {
        StringBuilder data = new StringBuilder();
        for (float f : vector) {
            data.append(data.length() > 0 ? "," : "").append(f);
        }
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + model + "/infer",
                "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[" + data + "]}]}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonArray out = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        double[] l = new double[out.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = out.getJsonNumber(i).doubleValue();
        }
        return l;
    }

    private static void assertClasses(String model, float[] vector, JsonObject answer, String what) throws Exception {
        double[] p = softmax(logits(model, vector));
        assertEquals(3, answer.size(), what + ": " + answer);
        for (int i = 0; i < 3; i++) {
            assertEquals(p[i], answer.getJsonNumber(CLASSES.get(i)).doubleValue(), 1e-5, what + ": probability of " + CLASSES.get(i));
        }
    }

    private static Map<String, Double> textProbabilities(String model, String text) throws Exception {
        long[] ids = wordPieces(text);
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\","
                + "\"shape\":[1," + ids.length + "],\"data\":" + java.util.Arrays.toString(ids) + "}]}"));
        assertEquals(200, r.statusCode(), r.body());
        JsonArray out = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        double[] p = softmax(new double[]{out.getJsonNumber(0).doubleValue(), out.getJsonNumber(1).doubleValue()});
        return Map.of("negative", p[0], "positive", p[1]);
    }

    private static void assertText(String model, String text, JsonObject answer, String what) throws Exception {
        Map<String, Double> expected = textProbabilities(model, text);
        assertEquals(top(expected), answer.keySet().iterator().next(), what + ": the most probable class first");
        expected.forEach((label, p) -> assertEquals(p, answer.getJsonNumber(label).doubleValue(), 1e-4, what + ": " + label));
    }

    private static String top(Map<String, Double> p) {
        return p.get("negative") >= p.get("positive") ? "negative" : "positive";
    }

    private static double[] softmax(double[] l) {
        double max = java.util.Arrays.stream(l).max().orElseThrow();
        double sum = 0;
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < l.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** BERT's basic tokenizer and WordPiece over the test's vocabulary, written from the algorithm. */
    static long[] wordPieces(String text) {
        JsonObject vocab = Seraphim.json(new String(ImageHandlerIT.resourceQuietly("/tokenizer.json"), StandardCharsets.UTF_8))
                .getJsonObject("model").getJsonObject("vocab");
        List<Long> ids = new ArrayList<>(List.of(2L));
        for (String word : text.toLowerCase(Locale.ROOT).split("\\s+|(?=\\p{Punct})|(?<=\\p{Punct})")) {
            if (word.isEmpty()) {
                continue;
            }
            List<Long> pieces = new ArrayList<>();
            int start = 0;
            while (start < word.length()) {
                int end = word.length();
                Long id = null;
                for (; end > start; end--) {
                    String piece = (start > 0 ? "##" : "") + word.substring(start, end);
                    if (vocab.containsKey(piece)) {
                        id = (long) vocab.getInt(piece);
                        break;
                    }
                }
                if (id == null) {
                    pieces = List.of(1L);
                    break;
                }
                pieces.add(id);
                start = end;
            }
            ids.addAll(pieces);
        }
        ids.add(3L);
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static void assertRefused(String path, String body, int status, String says) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post(path, body));
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        assertTrue(r.body().contains(says), says + " in " + r.body());
    }
}
