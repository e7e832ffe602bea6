package dev.seraphim.inference.engine;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Process-wide libtorch settings: the device, intra-op threads, and OpenBLAS kept to one thread. */
final class TorchRuntime {
    private static final Logger LOG = Logger.getLogger(TorchRuntime.class.getName());

    private TorchRuntime() {
    }

    static Device configure(String deviceName, int intraOpThreads, int interOpThreads) {
        // OpenBLAS's own thread pool beside libtorch's made batch 8 of the text classifier 60 times slower
        try {
            openblas_nolapack.blas_set_num_threads(1);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            LOG.log(Level.WARNING, "could not limit OpenBLAS to one thread; set OPENBLAS_NUM_THREADS=1", e);
        }
        torch.set_num_threads(intraOpThreads);
        try {
            torch.set_num_interop_threads(interOpThreads);
        } catch (RuntimeException e) {
            // libtorch allows this once per process; after an application restart it is already set
            LOG.fine("inter-op threads already set: " + e.getMessage());
        }
        Device device = resolve(deviceName);
        LOG.info("libtorch on " + device.str().getString() + " with " + torch.get_num_threads() + " intra-op threads");
        return device;
    }

    static Device resolve(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase();
        if (n.equals("auto")) {
            n = torch.cuda_is_available() ? "cuda" : "cpu";
        }
        if (n.startsWith("cuda") && !torch.cuda_is_available()) {
            throw new IllegalStateException("device " + name + " was configured but libtorch sees no CUDA device "
                    + "(build with -Pgpu for the CUDA natives)");
        }
        if (!n.equals("cpu") && !n.matches("cuda(:\\d+)?")) {
            throw new IllegalArgumentException("seraphim.inference.device must be cpu, cuda, cuda:N or auto, not " + name);
        }
        return new Device(n);
    }
}
