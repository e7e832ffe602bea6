package dev.seraphim.it;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tool a test needs from Debian's packages (chromium, haproxy): installed when missing and the tests run as root,
 * as CI does; elsewhere the test is skipped, saying why.
 */
final class DebianPackages {
    private DebianPackages() {
    }

    static String ensure(String binary, String pkg, String neededFor) throws Exception {
        Path path = Path.of(binary);
        if (Files.isExecutable(path)) {
            return binary;
        }
        if ("root".equals(System.getProperty("user.name"))) {
            ProcessBuilder apt = new ProcessBuilder("bash", "-c", "apt-get install -y -qq --no-install-recommends " + pkg
                    + " || (apt-get update -qq && apt-get install -y -qq --no-install-recommends " + pkg + ")").inheritIO();
            apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
            if (apt.start().waitFor() == 0 && Files.isExecutable(path)) {
                return binary;
            }
        }
        Assumptions.abort("no " + pkg + " here and it cannot be installed (not root): " + neededFor + " needs Debian's " + pkg);
        return null;
    }
}
