package dev.seraphim.inference.engine;

import org.bytedeco.pytorch.Stat;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch_cuda;

import java.util.Optional;
import java.util.logging.Logger;

/**
 * What libtorch's CUDA caching allocator holds on one GPU: bytes allocated to live tensors and bytes reserved
 * from the driver (allocated plus cached). Read only when the engine runs on CUDA: the CPU natives have no CUDA
 * allocator, and touching it there would fail to link.
 */
public final class GpuMemory {
    private static final Logger LOG = Logger.getLogger(GpuMemory.class.getName());
    private static volatile boolean unavailableLogged;

    /** allocated and reserved bytes, aggregated over the allocator's pools */
    public record Usage(long allocatedBytes, long reservedBytes) {
    }

    private GpuMemory() {
    }

    public static Optional<Usage> read(int deviceIndex) {
        try {
            DeviceStats stats = torch_cuda.getAllocator().getDeviceStats((byte) deviceIndex);
            try {
                // StatArray index 0 is StatType::AGGREGATE
                Stat allocated = stats.allocated_bytes().position(0);
                Stat reserved = stats.reserved_bytes().position(0);
                return Optional.of(new Usage(allocated.current(), reserved.current()));
            } finally {
                stats.close();
            }
        } catch (Throwable e) {
            if (!unavailableLogged) {
                unavailableLogged = true;
                LOG.warning("GPU memory statistics are unavailable on device " + deviceIndex + ": " + e);
            }
            return Optional.empty();
        }
    }

    /** Releases the caching allocator's unused blocks to the driver; then what it holds. Empty when it cannot. */
    public static Optional<Usage> emptyCache(int deviceIndex) {
        try {
            torch_cuda.getAllocator().emptyCache();
        } catch (Throwable e) {
            LOG.warning("the CUDA cache could not be emptied on device " + deviceIndex + ": " + e);
            return Optional.empty();
        }
        return read(deviceIndex);
    }
}
