package dev.seraphim.inference.engine;

import org.bytedeco.pytorch.global.torch;

/**
 * Sets libtorch's intra-op thread count for the libtorch work about to run on the calling thread. libtorch here
 * runs its intra-op work on OpenMP, where the count belongs to the thread that starts a parallel region, and any
 * pooled thread (a batch worker, a request thread that found its model idle, a batch job's thread) may run any
 * model; so each forward asks for its own model's count on its own thread (and a retraining epoch for the
 * server's), and the count changes only when that thread last ran with another one, because
 * {@code at::set_num_threads} also empties the thread's oneDNN primitive cache. It also sets libtorch's
 * process-wide default, which is why every forward and training step in the server goes through here rather than trusting it.
 */
public final class IntraOpThreads {
    private IntraOpThreads() {
    }

    public static void use(int threads) {
        // get_num_threads first: it runs libtorch's once-per-thread initialisation, which would otherwise apply
        // the process-wide count at this thread's first parallel region and undo ours
        if (torch.get_num_threads() != threads) {
            torch.set_num_threads(threads);
        }
    }
}
