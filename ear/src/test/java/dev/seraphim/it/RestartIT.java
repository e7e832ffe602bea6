package dev.seraphim.it;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting the application inside the running server must not meet libtorch's natives "already loaded in
 * another class loader": they live in the server's global library. Infer, register a model, undeploy, deploy,
 * infer again, on the demo model and on the registered one, which the registry brings back.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RestartIT {
    private static final String APP = "restartable";

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = APP, managed = false, testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void inferenceWorksAfterTheApplicationRestarts() throws Exception {
        deployer.deploy(APP);
        String registered = "kept-" + Long.toString(System.nanoTime(), 36);
        try {
            assertGoldenAnswer();
            HttpResponse<String> r = Registrations.register("{\"name\":\"" + registered + "\"," + Registrations.MLP_SIGNATURE + "}",
                    "m.pt", Registrations.demoModel("tabular-mlp.pt"));
            assertEquals(201, r.statusCode(), r.body());
            deployer.undeploy(APP);
            deployer.deploy(APP);
            assertGoldenAnswer();
            // what the registry says is loaded is loaded again after the restart
            Golden mlp = Golden.load("tabular-mlp");
            HttpResponse<String> again = Seraphim.send(Seraphim.post("/v2/models/" + registered + "/infer", mlp.cases().get(0).oipBody()));
            assertEquals(200, again.statusCode(), again.body());
            mlp.assertClose(mlp.cases().get(0), Golden.flatten(Seraphim.json(again.body()).getJsonArray("outputs").getJsonObject(0)
                    .getJsonArray("data")), "registered model after restart");
            assertEquals(204, Registrations.call("DELETE", "/api/v1/models/" + registered + "/versions/1?force=true", null).statusCode());
            HttpResponse<String> ready = Seraphim.get("/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            deployer.undeploy(APP);
        }
    }

    private static void assertGoldenAnswer() throws Exception {
        Golden golden = Golden.load("text-classifier");
        Golden.Case c = golden.cases().get(2);
        HttpResponse<String> r = Seraphim.send(Seraphim.post("/v2/models/text-classifier/infer", c.oipBody()));
        assertEquals(200, r.statusCode(), r.body());
        var out = Seraphim.json(r.body()).getJsonArray("outputs").getJsonObject(0);
        golden.assertClose(c, Golden.flatten(out.getJsonArray("data")), "after restart");
        assertTrue(r.body().contains("\"model_name\":\"text-classifier\""));
    }
}
