package dev.seraphim.platform.database;

import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The versioned migrations, named in {@code db/migration/index.txt}. Flyway's class-path scanning cannot read
 * inside an EAR on Liberty, so the scripts are listed rather than discovered.
 */
final class MigrationScripts implements ResourceProvider {
    private static final String FOLDER = "db/migration/";

    private final ClassLoader loader;
    private final List<String> names;

    MigrationScripts(ClassLoader loader) {
        this.loader = loader;
        try (InputStream in = loader.getResourceAsStream(FOLDER + "index.txt")) {
            if (in == null) {
                throw new IllegalStateException(FOLDER + "index.txt is missing");
            }
            names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public LoadableResource getResource(String name) {
        return names.stream().filter(n -> n.equals(name) || (FOLDER + n).equals(name)).findFirst().map(Script::new).orElse(null);
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return names.stream()
                .filter(n -> n.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(n::endsWith))
                .map(n -> (LoadableResource) new Script(n)).toList();
    }

    private final class Script extends LoadableResource {
        private final String name;

        Script(String name) {
            this.name = name;
        }

        @Override
        public Reader read() {
            InputStream in = loader.getResourceAsStream(FOLDER + name);
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is listed but missing");
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return FOLDER + name;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return FOLDER + name;
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
