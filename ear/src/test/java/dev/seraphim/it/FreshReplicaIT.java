package dev.seraphim.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model files for every replica (issue 37, item 4): a new replica whose registry store is empty (a new pod, a fresh
 * volume) on the same PostgreSQL serves every registered version, the demo models and one registered through another
 * server, from the copies the registry keeps in the database, each checked against its registered sha256.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FreshReplicaIT {
    private static final List<String> DEMO = List.of("tabular-mlp", "text-classifier", "tiny-cnn");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void aReplicaWithAnEmptyStoreServesEveryRegisteredVersion() throws Exception {
        Seraphim.awaitReady();
        String name = Registrations.unique("fresh");
        HttpResponse<String> registered = Registrations.register("{\"name\":\"" + name + "\"," + Registrations.MLP_SIGNATURE + "}",
                "m.pt", Registrations.rotatedMlp());
        assertEquals(201, registered.statusCode(), registered.body());
        String sha256 = Seraphim.json(registered.body()).getJsonObject("artifact").getString("sha256");
        assertEquals(1, storedCopies(sha256), "the registration stored the model file in the database");

        Path store = Path.of(System.getProperty("seraphim.it.ear")).getParent().resolve("fresh-replica-store-" + System.nanoTime());
        Files.createDirectories(store);
        Replica fresh = new Replica("seraphim-fresh", 19151);
        fresh.create();
        try {
            fresh.start(Map.of("SERAPHIM_REGISTRY_STORE", store.toString()));
            fresh.awaitReady(Duration.ofSeconds(240));
            for (String model : DEMO) {
                Golden golden = Golden.load(model);
                for (Golden.Case c : golden.cases()) {
                    HttpResponse<String> r = infer(fresh, model, c.oipBody());
                    assertEquals(200, r.statusCode(), "the fresh replica answers " + model + ": " + r.body());
                    JsonObject out = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0);
                    golden.assertClose(c, Golden.flatten(out.getJsonArray("data")), "fresh replica");
                }
            }
            Golden mlp = Golden.load("tabular-mlp");
            String body = mlp.cases().get(0).oipBody();
            HttpResponse<String> there = infer(fresh, name, body);
            HttpResponse<String> here = Seraphim.send(Seraphim.post("/v2/models/" + name + "/infer", body));
            assertEquals(200, there.statusCode(), there.body());
            assertEquals(Seraphim.json(here.body()).getJsonArray("outputs"), Seraphim.json(there.body()).getJsonArray("outputs"),
                    "the version registered through the other server answers the same on the fresh replica");

            // the files the fresh replica fetched are the registered ones, byte for byte
            Set<String> fetched = digests(store);
            assertTrue(fetched.contains(sha256), "the registered file was fetched into the empty store: " + fetched);
            for (String model : DEMO) {
                JsonObject m = Seraphim.json(Seraphim.get("/api/v1/models/" + model).body());
                String demoSha = m.getJsonArray("versions").getJsonObject(0).getJsonObject("artifact").getString("sha256");
                assertTrue(fetched.contains(demoSha), model + "'s file was fetched with its registered sha256");
            }
        } finally {
            fresh.stop();
            fresh.delete();
        }
        // a version deleted takes its copy out of the database (no other version shares its file's digest)
        assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + name + "/versions/1?force=true", null).statusCode());
        assertEquals(sharedByOthers(sha256, name) ? 1 : 0, storedCopies(sha256), "the deleted version's stored copy");
    }

    private static HttpResponse<String> infer(Replica replica, String model, String body) throws Exception {
        return Seraphim.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port + "/v2/models/" + model + "/infer"))
                .header("Authorization", "Bearer " + Seraphim.ADMIN_KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> digests(Path root) throws Exception {
        Set<String> out = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains(".staging")).toList()) {
                out.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    private static int storedCopies(String sha256) throws Exception {
        try (Connection c = database(); PreparedStatement q = c.prepareStatement("SELECT count(*) FROM model_artifact WHERE sha256 = ?")) {
            q.setString(1, sha256);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Other tests register the same demo file under other names: then its copy stays, as it should. */
    private static boolean sharedByOthers(String sha256, String except) throws Exception {
        try (Connection c = database(); PreparedStatement q = c.prepareStatement(
                "SELECT count(*) FROM model_version v JOIN registered_model m ON v.model_id = m.id WHERE v.artifact_sha256 = ? AND m.name <> ?")) {
            q.setString(1, sha256);
            q.setString(2, except);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    private static Connection database() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + System.getProperty("seraphim.it.db.port") + "/seraphim", "seraphim", "");
    }
}
