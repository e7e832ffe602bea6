package dev.seraphim.inference.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelStoreTest {
    private static final String SIGNATURE = "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]";

    @TempDir
    Path store;

    @Test
    void aBadDescriptorCostsOnlyItsOwnModelAndSaysWhy() throws IOException {
        write("a-good.json", "{\"name\":\"a-good\",\"file\":\"a.pt\"," + SIGNATURE + "}");
        write("b-threads.json", "{\"name\":\"b\",\"file\":\"b.pt\",\"intra_op_threads\":\"2\"," + SIGNATURE + "}");
        write("c-broken.json", "{\"name\":");
        write("d-no-name.json", "{\"file\":\"d.pt\"," + SIGNATURE + "}");
        write("e-outside.json", "{\"name\":\"e\",\"file\":\"../e.pt\"," + SIGNATURE + "}");
        write("f-good.json", "{\"name\":\"f-good\",\"version\":\"3\",\"file\":\"f.pt\"," + SIGNATURE + "}");
        write("g-again.json", "{\"name\":\"f-good\",\"version\":\"3\",\"file\":\"a.pt\"," + SIGNATURE + "}");
        write("h-no-file.json", "{\"name\":\"h\",\"file\":\"h.pt\"," + SIGNATURE + "}");
        write("i.labels", "not a descriptor");
        write("a.pt", "model bytes");
        write("b.pt", "model bytes");
        write("f.pt", "model bytes");

        ModelStore.Scan scan = new ModelStore(store).scan();

        assertEquals(List.of("a-good:1", "f-good:3"),
                scan.models().stream().map(d -> d.name() + ":" + d.version()).toList());
        assertEquals(store.resolve("f.pt"), scan.models().get(1).file());
        List<String> rejected = scan.rejected();
        assertEquals(6, rejected.size(), rejected.toString());
        assertTrue(rejected.get(0).startsWith("descriptor b-threads.json:") && rejected.get(0).contains("'intra_op_threads' must be an integer"), rejected.get(0));
        assertTrue(rejected.get(1).startsWith("descriptor c-broken.json is not valid JSON"), rejected.get(1));
        assertEquals("descriptor d-no-name.json: 'name' is required and must be a string", rejected.get(2));
        assertEquals("descriptor e-outside.json: file must be inside the model store", rejected.get(3));
        assertEquals("descriptor g-again.json: model f-good version 3 is already described by f-good.json", rejected.get(4));
        assertEquals("descriptor h-no-file.json: its file 'h.pt' is not in the model store", rejected.get(5));
        rejected.forEach(r -> assertTrue(!r.contains(store.toString()), "no internal path in: " + r));
    }

    @Test
    void aStoreThatIsNotADirectoryIsAnError() {
        assertThrows(IOException.class, () -> new ModelStore(store.resolve("missing")).scan());
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(store.resolve(name), content);
    }
}
