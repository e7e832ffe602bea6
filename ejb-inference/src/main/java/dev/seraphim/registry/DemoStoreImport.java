package dev.seraphim.registry;

import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.model.ModelStore;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;

import static dev.seraphim.registry.RegistryChanges.SYSTEM;

/** The demo model store (server-config/model-store) imported into an empty registry at first start. */
final class DemoStoreImport {
    private static final Logger LOG = Logger.getLogger(DemoStoreImport.class.getName());
    private static final Metadata REJECTED = Metadata.builder().withName("seraphim_model_store_rejected")
            .withDescription("Models of the model-store directory not imported: descriptor unreadable, or import failed").build();

    private final ModelRegistry registry;
    private final ArtifactStore artifacts;
    private final RegistrySettings settings;
    private final MetricRegistry metrics;
    private final RegistryChanges changes;

    DemoStoreImport(ModelRegistry registry, ArtifactStore artifacts, RegistrySettings settings, MetricRegistry metrics,
                    RegistryChanges changes) {
        this.registry = registry;
        this.artifacts = artifacts;
        this.settings = settings;
        this.metrics = metrics;
        this.changes = changes;
        for (String stage : List.of("descriptor", "import")) {
            metrics.counter(REJECTED, new Tag("stage", stage));
        }
    }

    /**
     * First start on an empty registry: the models of the model-store directory become version 1, loaded, default.
     * A descriptor that cannot be read, or a model that cannot be imported, is logged and counted in
     * seraphim_model_store_rejected_total and costs only itself: the others are imported.
     */
    void importIfEmpty() {
        if (!registry.empty()) {
            return;
        }
        ModelStore.Scan demo;
        try {
            demo = new ModelStore(settings.demoStore()).scan();
        } catch (IOException e) {
            LOG.warning("no models imported: " + e.getMessage());
            return;
        }
        for (String reason : demo.rejected()) {
            rejectedFromStore("descriptor", reason);
        }
        int imported = 0;
        for (ModelDescriptor d : demo.models()) {
            try {
                changes.audited(SYSTEM, "import", d.name(), d.version(), "from the demo model store", () -> {
                    ArtifactStore.Staged staged = artifacts.stage(d.file(), Long.MAX_VALUE);
                    ModelVersion.Artifact artifact = artifacts.commit(staged, d.name(), d.version(), d.file().getFileName().toString());
                    registry.register(d, null, SYSTEM, "imported from the model store", artifact, null, null, SYSTEM);
                    registry.want(d.name(), d.version(), true, SYSTEM);
                    registry.setDefault(d.name(), d.version());
                    return null;
                });
                imported++;
            } catch (RuntimeException e) {
                rejectedFromStore("import", "model " + d.name() + " version " + d.version() + " not imported: " + RegistryChanges.reason(e));
            }
        }
        LOG.info("imported " + imported + " models from " + settings.demoStore() + " into the registry"
                + (demo.rejected().isEmpty() && imported == demo.models().size() ? ""
                        : "; " + (demo.rejected().size() + demo.models().size() - imported) + " rejected (logged above)"));
    }

    private void rejectedFromStore(String stage, String reason) {
        LOG.warning("model store: " + reason);
        metrics.counter(REJECTED, new Tag("stage", stage)).inc();
    }

}
