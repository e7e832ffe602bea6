package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.ModelNotReadyException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against the real libtorch and its GNU OpenMP: each thread that runs parallel work with two threads keeps a team
 * worker of its own (OpenMP's workers take their master's name, which is how they are counted here), and the lane
 * keeps that to one team however many threads ask for forwards.
 */
class IntraOpLaneTest {
    private static final int CALLERS = 6;
    private static final int ROUNDS = 200;

    /**
     * The first thread to use libtorch in a process also starts threads of the whole process (they take its name
     * too); this one is not among the threads counted.
     */
    @BeforeAll
    static void startLibtorch() {
        twoThreadWork();
    }

    @AfterAll
    static void restoreTheDefault() {
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theHazard_eachThreadRunningParallelWorkKeepsATeamOfItsOwn() throws Exception {
        onLiveCallers("hazard-", IntraOpLaneTest::twoThreadWork, names -> {
            for (String name : names) {
                assertEquals(2, threadsNamed(name), "thread " + name + " and its OpenMP worker");
            }
        });
    }

    @Test
    void forwardsFromManyThreadsRunOnTheLaneAndItsOneTeam() throws Exception {
        try (IntraOpLane lane = new IntraOpLane(work -> new Thread(work, "test-lane"), 1)) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            onLiveCallers("laned-", () -> lane.forward(2, () -> {
                Thread t = Thread.currentThread();
                if (ranOn.get() != null) {
                    assertSame(ranOn.get(), t, "every two-thread forward runs on the one lane");
                }
                ranOn.set(t);
                return twoThreadWork();
            }), names -> {
                for (String name : names) {
                    assertEquals(1, threadsNamed(name), "caller " + name + " started no OpenMP team");
                }
                assertEquals(2, threadsNamed("test-lane"), "the lane and its one OpenMP worker");
            });
            assertEquals("test-lane", ranOn.get().getName());
        }
    }

    @Test
    void oneThreadWorkRunsWhereItIsAndErrorsComeBackAsThemselves() {
        try (IntraOpLane lane = new IntraOpLane(work -> new Thread(work, "test-lane-2"), 1)) {
            assertSame(Thread.currentThread(), lane.forward(1, Thread::currentThread));
            assertNotSame(Thread.currentThread(), lane.forward(2, Thread::currentThread));
            InferenceFailedException failure = new InferenceFailedException("bad input");
            assertSame(failure, assertThrows(InferenceFailedException.class, () -> lane.forward(2, () -> {
                throw failure;
            })));
            lane.close();
            assertThrows(ModelNotReadyException.class, () -> lane.forward(2, () -> 1));
            assertEquals(1, lane.forward(1, () -> 1), "one-thread work does not need the lane");
        }
    }

    /**
     * Callers released together read the lanes' counts at the same moment; each round fails (after the wait) if
     * both forwards were put on one lane.
     */
    @Test
    void withTwoLanesTwoForwardsArrivingTogetherRunAtOnce() throws Exception {
        try (IntraOpLane lanes = new IntraOpLane(work -> new Thread(work, "test-lanes"), 2)) {
            var callers = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    CyclicBarrier arrive = new CyclicBarrier(2);
                    CountDownLatch bothRunning = new CountDownLatch(2);
                    Callable<Boolean> forward = () -> {
                        arrive.await(10, TimeUnit.SECONDS);
                        return lanes.forward(2, () -> {
                            bothRunning.countDown();
                            try {
                                // on one lane the second forward could only start after this one: the wait would time out
                                return bothRunning.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
                    };
                    var first = callers.submit(forward);
                    var second = callers.submit(forward);
                    assertTrue(first.get(30, TimeUnit.SECONDS), "round " + round + ": the first forward saw the second running beside it");
                    assertTrue(second.get(30, TimeUnit.SECONDS), "round " + round + ": the second forward saw the first running beside it");
                }
            } finally {
                callers.shutdownNow();
            }
            assertEquals(2, threadsNamed("test-lanes"), "two lane threads (this work started no OpenMP team)");
        }
    }

    @Test
    void workThatHappensOnceTakesItsTeamAlongWhenItEnds() throws Exception {
        Thread ran = IntraOpLane.once(work -> new Thread(work, "once-work"), 2, () -> {
            twoThreadWork();
            assertEquals(2, threadsNamed("once-work"), "its thread and its OpenMP worker, while it runs");
            return Thread.currentThread();
        });
        ran.join(10_000);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (threadsNamed("once-work") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, threadsNamed("once-work"), "the OpenMP worker ends with its thread");
        assertSame(Thread.currentThread(), IntraOpLane.once(work -> new Thread(work, "never"), 1, Thread::currentThread));
    }

    /** Work above libtorch's grain size (32 768 elements) with two intra-op threads, so that it opens a parallel region. */
    private static int twoThreadWork() {
        IntraOpThreads.use(2);
        try (Tensor ones = torch.ones(1 << 20); Tensor sum = ones.sum()) {
            assertEquals(1 << 20, sum.item_double(), 0.0);
        }
        return torch.get_num_threads();
    }

    interface WhileAlive {
        void check(List<String> callerNames) throws Exception;
    }

    /** Runs the work once on each of CALLERS new threads, one after another, then the check while they are all still alive. */
    private static void onLiveCallers(String prefix, Supplier<Integer> work, WhileAlive check) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try {
            for (int i = 0; i < CALLERS; i++) {
                CountDownLatch done = new CountDownLatch(1);
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        assertEquals(2, work.get());
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                    done.countDown();
                    awaitQuietly(release);
                }, prefix + i);
                t.start();
                callers.add(t);
                names.add(t.getName());
                done.await();
                if (failed.get() != null) {
                    throw new AssertionError("caller " + i + " failed", failed.get());
                }
            }
            check.check(names);
        } finally {
            release.countDown();
            for (Thread t : callers) {
                t.join(10_000);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Native threads of this process with the given name (Linux: /proc/self/task/N/comm, 15 characters at most). */
    private static long threadsNamed(String name) {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals(comm);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
