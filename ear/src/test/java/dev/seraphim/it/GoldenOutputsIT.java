package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PyTorch's golden outputs through OIP v2 and /api/v1/predict, one request at a time and 64 at once. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GoldenOutputsIT {
    private static final List<String> MODELS = List.of("tabular-mlp", "text-classifier", "tiny-cnn");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void everyGoldenCaseThroughOipOneAtATime() throws Exception {
        for (String model : MODELS) {
            Golden golden = Golden.load(model);
            for (Golden.Case c : golden.cases()) {
                HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/" + model + "/infer", c.oipBody()));
                checkOip(golden, c, r);
            }
        }
    }

    @Test
    void everyGoldenCaseThroughPredictOneAtATime() throws Exception {
        for (String model : MODELS) {
            Golden golden = Golden.load(model);
            for (Golden.Case c : golden.cases()) {
                HttpResponse<String> r = Seraphim.send(Seraphim.post("/api/v1/predict", c.predictBody()));
                checkPredict(golden, c, r);
            }
        }
    }

    /** 64 requests at once, mixed models, sizes and sequence lengths, both APIs: batched, yet each answer exact. */
    @Test
    void sixtyFourConcurrentRequestsAreBatchedAndExact() throws Exception {
        Golden mlp = Golden.load("tabular-mlp");
        Golden text = Golden.load("text-classifier");
        double mlpBatchesBefore = batches("tabular-mlp");
        double textBatchesBefore = batches("text-classifier");
        List<Golden.Case> cases = new ArrayList<>();
        List<Boolean> viaOip = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        int mlpRequests = 0;
        int textRequests = 0;
        for (int i = 0; i < 64; i++) {
            boolean useMlp = i % 2 == 0;
            Golden g = useMlp ? mlp : text;
            Golden.Case c = useMlp ? g.cases().get((i / 2) % 2) : g.cases().get((i / 2) % g.cases().size());
            boolean oip = (i / 4) % 2 == 0;
            if (useMlp) {
                mlpRequests++;
            } else {
                textRequests++;
            }
            cases.add(c);
            viaOip.add(oip);
        }
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Golden.Case c = cases.get(i);
            requests.add(viaOip.get(i) ? Seraphim.post("/v2/models/" + c.model() + "/infer", c.oipBody())
                    : Seraphim.post("/api/v1/predict", c.predictBody()));
        }
        for (HttpRequest request : requests) {
            responses.add(Seraphim.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 64; i++) {
            Golden.Case c = cases.get(i);
            Golden g = c.model().equals("tabular-mlp") ? mlp : text;
            HttpResponse<String> r = responses.get(i).get();
            if (viaOip.get(i)) {
                checkOip(g, c, r);
            } else {
                checkPredict(g, c, r);
            }
        }
        double mlpBatches = batches("tabular-mlp") - mlpBatchesBefore;
        double textBatches = batches("text-classifier") - textBatchesBefore;
        assertTrue(mlpBatches + textBatches < mlpRequests + textRequests, "64 concurrent requests ran as "
                + (mlpBatches + textBatches) + " batches: nothing was batched");
    }

    private static void checkOip(Golden golden, Golden.Case c, HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), "OIP " + c.model() + " case " + c.index() + ": " + r.body());
        JsonObject body = Seraphim.json(r.body());
        assertEquals(c.model(), body.getString("model_name"));
        assertEquals("1", body.getString("model_version"));
        assertEquals(c.model() + "-" + c.index(), body.getString("id"));
        JsonObject out = body.getJsonArray("outputs").getJsonObject(0);
        assertEquals("logits", out.getString("name"));
        assertEquals("FP32", out.getString("datatype"));
        assertArrayEquals(c.expectedShape(), Golden.shape(out));
        golden.assertClose(c, Golden.flatten(out.getJsonArray("data")), "OIP");
    }

    private static void checkPredict(Golden golden, Golden.Case c, HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), "predict " + c.model() + " case " + c.index() + ": " + r.body());
        JsonObject body = Seraphim.json(r.body());
        assertEquals(c.model(), body.getString("model"));
        assertEquals("1", body.getString("version"));
        var logits = body.getJsonObject("outputs").getJsonArray("logits");
        assertEquals(c.expectedShape()[0], logits.size(), "rows of predict output");
        assertEquals(c.expectedShape()[1], logits.getJsonArray(0).size(), "columns of predict output");
        golden.assertClose(c, Golden.flatten(logits), "predict");
    }

    private static double batches(String model) throws Exception {
        String metrics = Seraphim.get("/metrics?scope=application").body();
        Matcher m = Pattern.compile("seraphim_batches_total\\{model=\"" + Pattern.quote(model) + "\"[^}]*version=\"1\"[^}]*}\\s+([0-9.eE+]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
