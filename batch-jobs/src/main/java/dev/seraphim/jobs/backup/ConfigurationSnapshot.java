package dev.seraphim.jobs.backup;

import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.Config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Step {@code configuration} of {@code backup}: the effective {@code seraphim.*} configuration, so that a
 * restore on a new machine can be set up the same way. Secrets are left out by name (password, key, secret,
 * token, credential) or by content (a URL carrying {@code password=}); their names are listed with the value
 * {@code <secret: not backed up>}.
 */
@Named("backupConfiguration")
@Dependent
public class ConfigurationSnapshot extends AbstractBatchlet {
    static final Pattern SECRET = Pattern.compile(".*(password|secret|token|credential|key)([._-].*)?$");

    @Inject
    JobContext job;

    @Inject
    BackupSettings settings;

    @Inject
    Config config;

    @Override
    public String process() throws Exception {
        TreeMap<String, String> values = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("seraphim.")) {
                continue;
            }
            String value = config.getOptionalValue(name, String.class).orElse("");
            // a secret by name, or one inside a value (a JDBC URL with ?password=...)
            values.put(name, SECRET.matcher(lower).matches() || value.toLowerCase(Locale.ROOT).contains("password=")
                    ? "<secret: not backed up>" : value);
        }
        StringBuilder out = new StringBuilder("# the effective seraphim.* configuration at backup time; secrets left out\n");
        values.forEach((k, v) -> out.append(k).append('=').append(v.replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
        Files.writeString(BackupFolders.partialFor(settings.directory(), job.getInstanceId()).resolve("configuration.properties"),
                out.toString(), StandardCharsets.UTF_8);
        return "SETTINGS=" + values.size();
    }
}
