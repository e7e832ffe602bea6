package dev.seraphim.inference.engine;

import dev.seraphim.inference.ModelNotReadyException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where libtorch's multi-threaded work runs. libtorch here runs its intra-op work on GNU OpenMP, where each thread
 * that starts a parallel region with more than one thread keeps its own team of worker threads for as long as it
 * lives; and once the process's teams hold more threads than it has cores, every team's workers spin only about a
 * hundred times between parallel regions and then sleep, so a forward of many short regions pays a wake-up per
 * region (resnet18 at batch 1: 17–23 ms against 13.5 ms, ~150 context switches per forward; docs/architecture.md,
 * "Why the lane"). Pooled request threads and batch workers, each with a team of its own, put the server in that
 * state for good.
 *
 * <p>So every forward with more than one intra-op thread runs on one long-lived thread, the lane, whose team is
 * the only lasting one; work that happens once (loading a model, a training epoch) runs on a thread of its own that
 * ends with it and takes its team along; work on one intra-op thread starts no team and runs where it is. Forwards
 * of different multi-threaded models take turns on the lane, which on a machine where each asks for every core is
 * what their teams would do anyway; where they ask for fewer, more lanes let them overlap.
 */
public final class IntraOpLane implements AutoCloseable {
    private final ExecutorService[] lanes;
    private final AtomicInteger[] queued;
    private final Set<Thread> laneThreads = ConcurrentHashMap.newKeySet();

    /**
     * {@code count} lanes (seraphim.inference.lanes) let forwards of multi-threaded models overlap on a machine with
     * cores to spare: each lane keeps a team as large as the largest count it ran, so lanes × intra-op threads should
     * not exceed the cores, or the throttling comes back.
     */
    public IntraOpLane(ThreadFactory threads, int count) {
        lanes = new ExecutorService[Math.max(1, count)];
        queued = new AtomicInteger[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            queued[i] = new AtomicInteger();
            lanes[i] = Executors.newSingleThreadExecutor(work -> {
                Thread t = threads.newThread(work);
                laneThreads.add(t);
                return t;
            });
        }
    }

    /**
     * A forward: on the calling thread when it uses one intra-op thread, else on the lane with the fewest forwards
     * queued or running, waiting for it.
     */
    public <T> T forward(int intraOpThreads, Supplier<T> work) {
        if (intraOpThreads <= 1 || laneThreads.contains(Thread.currentThread())) {
            return work.get();
        }
        int lane = claimLeastBusyLane();
        AtomicInteger count = queued[lane];
        Future<T> result;
        try {
            result = lanes[lane].submit(() -> {
                try {
                    return work.get();
                } finally {
                    count.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            count.decrementAndGet();
            throw new ModelNotReadyException("the inference engine is stopping");
        }
        return outcome(result);
    }

    /**
     * The lane with the fewest forwards queued or running, counted as taken by this forward. The claim succeeds only
     * if the lane's count is still the one its choice was based on: callers arriving together would otherwise all
     * read the same counts, pick the same lane and wait behind each other while another lane stood idle.
     */
    private int claimLeastBusyLane() {
        while (true) {
            int lane = 0;
            int least = queued[0].get();
            for (int i = 1; i < lanes.length; i++) {
                int n = queued[i].get();
                if (n < least) {
                    lane = i;
                    least = n;
                }
            }
            if (queued[lane].compareAndSet(least, least + 1)) {
                return lane;
            }
        }
    }

    /**
     * Work that happens once with {@code intraOpThreads} threads (a model's load, a training epoch): on a thread
     * started for it, which ends, with its OpenMP team, when the work is done.
     */
    public static <T> T once(ThreadFactory threads, int intraOpThreads, Supplier<T> work) {
        if (intraOpThreads <= 1) {
            return work.get();
        }
        FutureTask<T> task = new FutureTask<>(work::get);
        threads.newThread(task).start();
        return outcome(task);
    }

    /** The work's result or its own exception; the caller waits for it even when interrupted, as native work cannot be cut short. */
    private static <T> T outcome(Future<T> result) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Forwards already queued on the lanes still run; new ones are refused. */
    @Override
    public void close() {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
    }
}
