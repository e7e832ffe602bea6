package dev.seraphim.inference.engine;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the per-model thread count rests on, checked against the real libtorch: the count set on one thread is
 * that thread's own, and a thread's first use of libtorch does not overwrite the count asked for.
 */
class IntraOpThreadsTest {

    @Test
    void aThreadKeepsItsOwnCountWhileAnotherThreadUsesAnother() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        ExecutorService two = Executors.newSingleThreadExecutor();
        try {
            assertEquals(1, on(one, () -> {
                IntraOpThreads.use(1);
                return torch.get_num_threads();
            }));
            assertEquals(3, on(two, () -> {
                IntraOpThreads.use(3);
                return torch.get_num_threads();
            }));
            // the second thread's set_num_threads also changed libtorch's process-wide default; the first keeps 1
            assertEquals(1, on(one, torch::get_num_threads));
            assertEquals(3, on(two, () -> {
                parallelWork();
                return torch.get_num_threads();
            }));
        } finally {
            one.shutdownNow();
            two.shutdownNow();
        }
    }

    @Test
    void aThreadsFirstUseOfLibtorchDoesNotUndoItsCount() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        ExecutorService bare = Executors.newSingleThreadExecutor();
        try {
            on(fresh, () -> {
                IntraOpThreads.use(2);
                return null;
            });
            // libtorch's set_num_threads without the initialisation first: the thread's first use re-applies the
            // process-wide count, which another thread may have changed meanwhile
            on(bare, () -> {
                torch.set_num_threads(2);
                return null;
            });
            on(other, () -> {
                torch.set_num_threads(4);
                return null;
            });
            assertEquals(4, on(bare, torch::get_num_threads), "the hazard IntraOpThreads.use guards against");
            assertEquals(2, on(fresh, () -> {
                parallelWork();
                return torch.get_num_threads();
            }));
        } finally {
            other.shutdownNow();
            fresh.shutdownNow();
            bare.shutdownNow();
        }
    }

    @AfterAll
    static void restoreTheDefault() {
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
    }

    /** Work above libtorch's grain size (32 768 elements), so that it opens a parallel region. */
    private static void parallelWork() {
        try (Tensor ones = torch.ones(1 << 20); Tensor sum = ones.sum()) {
            assertEquals(1 << 20, sum.item_double(), 0.0);
        }
    }

    private static <T> T on(ExecutorService thread, java.util.concurrent.Callable<T> task) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, thread).get(60, TimeUnit.SECONDS);
    }
}
