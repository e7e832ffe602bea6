package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch's own answers (shared/fixtures/golden, copied into src/test/resources/golden): each case's inputs as
 * request bodies for both APIs, and the check of an answer against the expected outputs within the tolerance.
 */
record Golden(String model, double atol, double rtol, List<Case> cases) {

    record Case(String model, int index, JsonObject input, JsonObject output) {
        String oipBody() {
            return Json.createObjectBuilder().add("id", model + "-" + index)
                    .add("inputs", Json.createArrayBuilder().add(input)).build().toString();
        }

        String predictBody() {
            return "{\"model\":\"" + model + "\",\"inputs\":{\"" + input.getString("name") + "\":"
                    + nested(input.getJsonArray("data"), shape(input), 0, new int[]{0}) + "}}";
        }

        long[] expectedShape() {
            return shape(output);
        }

        double[] expected() {
            return output.getJsonArray("data").getValuesAs(JsonNumber.class).stream().mapToDouble(JsonNumber::doubleValue).toArray();
        }
    }

    static Golden load(String model) throws IOException {
        Path file = Path.of(System.getProperty("seraphim.it.golden"), model + ".json");
        try (InputStream in = Files.newInputStream(file); JsonReader r = Json.createReader(in)) {
            JsonObject g = r.readObject();
            JsonObject tol = g.getJsonObject("tolerance");
            List<Case> cases = new ArrayList<>();
            JsonArray all = g.getJsonArray("cases");
            for (int i = 0; i < all.size(); i++) {
                JsonObject c = all.getJsonObject(i);
                cases.add(new Case(model, i, c.getJsonArray("inputs").getJsonObject(0), c.getJsonArray("outputs").getJsonObject(0)));
            }
            return new Golden(model, tol.getJsonNumber("atol").doubleValue(), tol.getJsonNumber("rtol").doubleValue(), cases);
        }
    }

    /** Asserts |actual - expected| <= atol + rtol * |expected| for every element, as torch.allclose does. */
    void assertClose(Case c, double[] actual, String via) {
        double[] expected = c.expected();
        assertEquals(expected.length, actual.length, via + ": number of output elements of " + model + " case " + c.index());
        for (int i = 0; i < expected.length; i++) {
            double limit = atol + rtol * Math.abs(expected[i]);
            assertTrue(Math.abs(actual[i] - expected[i]) <= limit, via + ": " + model + " case " + c.index() + " element " + i
                    + " is " + actual[i] + ", PyTorch gave " + expected[i] + " (tolerance " + limit + ")");
        }
    }

    static long[] shape(JsonObject tensor) {
        return tensor.getJsonArray("shape").getValuesAs(JsonNumber.class).stream().mapToLong(JsonNumber::longValue).toArray();
    }

    static double[] flatten(JsonValue value) {
        List<Double> out = new ArrayList<>();
        flattenInto(value, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flattenInto(JsonValue v, List<Double> out) {
        if (v instanceof JsonArray a) {
            a.forEach(e -> flattenInto(e, out));
        } else {
            out.add(((JsonNumber) v).doubleValue());
        }
    }

    private static String nested(JsonArray flat, long[] shape, int dim, int[] next) {
        StringBuilder sb = new StringBuilder("[");
        for (long i = 0; i < shape[dim]; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (dim == shape.length - 1) {
                sb.append(flat.get(next[0]++).toString());
            } else {
                sb.append(nested(flat, shape, dim + 1, next));
            }
        }
        return sb.append(']').toString();
    }
}
