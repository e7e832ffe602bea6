package dev.seraphim.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The next release for the scale-out drill's upgrade: the build's EAR with another version in its WAR's
 * server-version.properties (what GET /v2 reports), every other entry copied unchanged, so that the drill can see
 * which replica runs which EAR while one rolls through them.
 */
final class UpgradedEar {
    static final String VERSION_ENTRY = "WEB-INF/classes/dev/seraphim/api/oip/server-version.properties";

    private UpgradedEar() {
    }

    static Path write(Path ear, Path target, String version) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(ear));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            boolean changed = false;
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().endsWith(".war")) {
                    ByteArrayOutputStream war = new ByteArrayOutputStream();
                    changed = rewriteWar(in, war, version);
                    war.writeTo(out);
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            if (!changed) {
                throw new IllegalStateException(ear + " has no WAR with " + VERSION_ENTRY);
            }
        }
        return target;
    }

    private static boolean rewriteWar(InputStream war, OutputStream target, String version) throws IOException {
        boolean changed = false;
        ZipInputStream in = new ZipInputStream(war);  // not closed: it would close the EAR's stream
        ZipOutputStream out = new ZipOutputStream(target);
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
            out.putNextEntry(new ZipEntry(e.getName()));
            if (e.getName().equals(VERSION_ENTRY)) {
                out.write(("version=" + version + "\n").getBytes(StandardCharsets.ISO_8859_1));
                changed = true;
            } else {
                in.transferTo(out);
            }
            out.closeEntry();
        }
        out.finish();
        return changed;
    }
}
