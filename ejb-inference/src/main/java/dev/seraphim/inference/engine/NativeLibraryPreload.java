package dev.seraphim.inference.engine;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts loading libtorch's natives when CDI begins to boot the application, so that the load runs on the second
 * core while Liberty spends seconds on one thread building CDI, JPA and OpenAPI metadata before any enterprise
 * bean starts. Without it the load (1.5-2.8 s here) sat on the critical path of every cold start, after the database.
 *
 * <p>Nothing waits for this thread: JavaCPP's {@code Loader.load} is synchronized and {@code torch}'s class
 * initialisation is guarded by the JVM, so {@link TorchRuntime} either finds the natives loaded or blocks until
 * this load ends. A failure here is only logged at FINE: the engine's own load meets it again and reports it.
 * A plain daemon thread, not a managed executor: it runs during deployment, before the application's components
 * (and their JNDI names) exist, touches no application state, and ends when the libraries are mapped.
 */
public class NativeLibraryPreload implements Extension {
    private static final Logger LOG = Logger.getLogger(NativeLibraryPreload.class.getName());

    void preload(@Observes BeforeBeanDiscovery event) {
        Thread loader = new Thread(NativeLibraryPreload::load, "seraphim-libtorch-preload");
        loader.setDaemon(true);
        loader.start();
    }

    private static void load() {
        long start = System.nanoTime();
        try {
            Loader.load(torch.class);
            LOG.info("libtorch natives loaded ahead of the engine in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (Throwable e) {
            LOG.log(Level.FINE, "libtorch natives could not be preloaded; the inference engine will report why", e);
        }
    }
}
