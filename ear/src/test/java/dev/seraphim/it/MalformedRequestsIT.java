package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad requests get a 4xx whose message says what to fix, in each API's own error format, never a 500. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MalformedRequestsIT {
    private static final String MLP = "/v2/models/tabular-mlp/infer";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void invalidJson() throws Exception {
        oipError(MLP, "{\"inputs\": [", 400, "invalid JSON");
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [[1,2,]]}}", 400, "invalid JSON");
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [[1,2x]]}}", 400, "not a valid number");
    }

    @Test
    void unknownDatatype() throws Exception {
        oipError(MLP, input("FP33", "[1,16]", ones(16)), 400, "unknown datatype 'FP33'");
        oipError(MLP, input("BYTES", "[1,16]", ones(16)), 400, "has no handler, so it takes tensors, not BYTES");
        oipError(MLP, input("INT64", "[1,16]", ones(16)), 400, "must be FP32");
    }

    @Test
    void wrongShapeOrRank() throws Exception {
        oipError(MLP, input("FP32", "[1,15]", ones(15)), 400, "dimension 1 must be 16");
        oipError(MLP, input("FP32", "[16]", ones(16)), 400, "must have rank 2");
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [[1,2],[3]]}}", 400, "ragged");
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": " + ones(16) + "}}", 400, "must have rank 2");
    }

    @Test
    void dataLengthNotMatchingShape() throws Exception {
        oipError(MLP, input("FP32", "[2,16]", ones(16)), 400, "data has 16 elements but shape [2, 16] needs 32");
    }

    @Test
    void unknownModelOrVersionOrInput() throws Exception {
        oipError("/v2/models/no-such-model/infer", input("FP32", "[1,16]", ones(16)), 404, "not known");
        oipError("/v2/models/tabular-mlp/versions/9/infer", input("FP32", "[1,16]", ones(16)), 404, "no loaded version '9'");
        problem("{\"model\": \"no-such-model\", \"inputs\": {\"x\": [[1]]}}", 404, "not known");
        oipError(MLP, "{\"inputs\":[{\"name\":\"wrong\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":" + ones(16) + "}]}", 400,
                "has no input 'wrong'");
        HttpResponse<String> meta = Seraphim.get("/v2/models/no-such-model");
        assertEquals(404, meta.statusCode());
        assertTrue(Seraphim.json(meta.body()).getString("error").contains("not known"));
    }

    @Test
    void valueOutOfRangeForItsDatatype() throws Exception {
        oipError("/v2/models/text-classifier/infer",
                "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[1, 1.5]}]}", 400,
                "is not a valid integer");
        // an index the embedding table does not have: libtorch refuses it, the caller gets its message, no stack
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/text-classifier/infer",
                "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[5, 999999]}]}"));
        assertEquals(400, r.statusCode(), r.body());
        String error = Seraphim.json(r.body()).getString("error");
        assertTrue(error.contains("index out of range"), error);
        assertFalse(error.contains("/") || error.contains(".py") || error.contains("at "), "no paths or stack: " + error);
    }

    @Test
    void oversizedBody() throws Exception {
        StringBuilder big = new StringBuilder("{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":[");
        while (big.length() < 9 * 1024 * 1024) {
            big.append("0.123456789,");
        }
        big.append("1]}]}");
        oipError(MLP, big.toString(), 413, "exceeds the limit");
    }

    @Test
    void eachRequestLimitIsAnsweredWithItsOwn4xx() throws Exception {
        // element count: a tiny body declaring a huge shape is refused before any buffer is reserved
        oipError(MLP, input("FP32", "[1,33554432]", ones(16)), 413, "elements per tensor");
        // rows per request (default 1024)
        String row = ones(16);
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [" + (row + ",").repeat(1024) + row + "]}}", 413,
                "at most 1024 rows per request");
        // string length
        // strings of the predict body may be as long as the body (base64 images, text); a long name is still no name
        problem("{\"model\": \"" + "m".repeat(9000) + "\", \"inputs\": {}}", 400, "a model name must match");
        // nesting depth
        problem("{\"model\": \"tabular-mlp\", \"x\": " + "[".repeat(80) + "]".repeat(80) + "}", 400, "nested deeper than 64");
        // number range: FP32 cannot hold 1e39, FP64 cannot hold 1e999
        oipError(MLP, input("FP32", "[1,16]", "[1e39" + ",1".repeat(15) + "]"), 400, "out of range for FP32");
        problem("{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [[-1e999" + ",1".repeat(15) + "]]}}", 400, "out of range");
        // names: the model-name pattern, in the path and in the body; traversal never reaches a lookup
        oipError("/v2/models/tabular%20mlp/infer", input("FP32", "[1,16]", ones(16)), 400, "must match");
        oipError("/v2/models/.hidden/infer", input("FP32", "[1,16]", ones(16)), 400, "must match");
        oipError("/v2/models/tabular-mlp/versions/1%3B2/infer", input("FP32", "[1,16]", ones(16)), 400, "version must match");
        problem("{\"model\": \"../tabular-mlp\", \"inputs\": {\"features\": [" + row + "]}}", 400, "must match");
        // dot segments are refused for every application, Liberty's own included (they were routed by the raw
        // prefix and served by the canonical path: a 500 from the health application)
        for (String path : new String[]{"/health/ready/../../x%20", "/openapi/../health"}) {
            HttpResponse<String> dots = Seraphim.get(path);
            assertEquals(400, dots.statusCode(), path + " → " + dots.body());
            assertTrue(dots.body().contains("may not contain '.' or '..' segments"), dots.body());
        }
        // the application's own URIs are canonicalized by the container and never leave it: a 4xx in the API's shape
        for (String path : new String[]{"/v2/models/../../api/v1/keys", "/api/v1/%2e%2e/v1/keys", "/health/%2e%2e/x"}) {
            HttpResponse<String> dots = Seraphim.get(path);
            assertTrue(dots.statusCode() == 400 || dots.statusCode() == 404, path + " → " + dots.statusCode() + " " + dots.body());
        }
        // the limits refuse only what is beyond them: 1024 rows are served
        HttpResponse<String> ok = Seraphim.send(Seraphim.post("/api/v1/predict",
                "{\"model\": \"tabular-mlp\", \"inputs\": {\"features\": [" + (row + ",").repeat(1023) + row + "]}}"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(1024, Seraphim.json(ok.body()).getJsonObject("outputs").getJsonArray("logits").size());
    }

    private static String ones(int n) {
        return "[" + "1.0,".repeat(n - 1) + "1.0]";
    }

    private static String input(String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}]}";
    }

    private static void oipError(String path, String body, int status, String expected) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post(path, body));
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String error = Seraphim.json(r.body()).getString("error");
        assertTrue(error.contains(expected), "expected '" + expected + "' in: " + error);
    }

    private static void problem(String body, int status, String expected) throws Exception {
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/api/v1/predict", body));
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), r.headers().toString());
        var problem = Seraphim.json(r.body());
        assertEquals(status, problem.getInt("status"));
        assertTrue(problem.getString("detail").contains(expected), "expected '" + expected + "' in: " + problem.getString("detail"));
    }
}
