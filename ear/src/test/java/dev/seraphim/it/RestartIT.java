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
 * another class loader": they live in the server's global library. Infer, undeploy, deploy, infer again.
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
        try {
            assertGoldenAnswer();
            deployer.undeploy(APP);
            deployer.deploy(APP);
            assertGoldenAnswer();
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
