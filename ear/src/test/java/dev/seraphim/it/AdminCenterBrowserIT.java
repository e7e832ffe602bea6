package dev.seraphim.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator in a real browser (headless chromium): logs in to the Admin Center as admin over HTTPS, opens the
 * Java Batch tool and sees the backup executions the API started. The screenshot is kept in
 * target/admin-center-java-batch.png.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminCenterBrowserIT {
    private static final String HTTPS = "https://127.0.0.1:" + System.getProperty("seraphim.it.https.port");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Seraphim.ear();
    }

    @Test
    void anAdminLogsInAndSeesTheBackupExecutionsInTheJavaBatchTool() throws Exception {
        JsonObject backup = BackupRestoreIT.run("backup", "{\"keep\":20}");
        assertEquals("COMPLETED", backup.getString("status"), backup.toString());
        String password = System.getProperty("seraphim.it.console.password");
        try (Chromium browser = Chromium.start()) {
            browser.navigate(HTTPS + "/adminCenter/");
            assertTrue(browser.await("document.querySelector('input[name=j_username]')", Duration.ofSeconds(60)),
                    "the Admin Center's login form: " + browser.evaluate("location.href"));
            browser.evaluate("document.querySelector('input[name=j_username]').value = 'admin';"
                    + "document.querySelector('input[name=j_password]').value = " + Json.createValue(password) + ";"
                    + "document.getElementById('loginButton').click(); true");  // its submit handler adds the CSRF token
            assertTrue(browser.await("document.readyState === 'complete' && !document.querySelector('input[name=j_password]')"
                    + " && !location.href.includes('login')", Duration.ofSeconds(60)), "logged in: " + browser.evaluate("location.href"));

            browser.navigate(HTTPS + "/ibm/adminCenter/javaBatch-1.0/");
            boolean shown = browser.await("document.body && document.body.innerText.includes('backup')", Duration.ofSeconds(90));
            browser.screenshot(Path.of("target/admin-center-java-batch.png"));
            assertTrue(shown, "the Java Batch tool lists the backup job; page text: "
                    + browser.evaluate("document.body ? document.body.innerText.slice(0, 600) : ''"));
            assertTrue(browser.evaluate("location.href").contains("javaBatch"), browser.evaluate("location.href"));
        }
    }
}
