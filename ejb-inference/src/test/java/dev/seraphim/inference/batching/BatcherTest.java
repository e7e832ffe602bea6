package dev.seraphim.inference.batching;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher's gathering rule on a plain Java "model" (each output row is the sum of its input row, and
 * every batch's row count is recorded): no libtorch involved, this is the batching logic alone.
 */
class BatcherTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Long> batchRows = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private List<TensorData> rowSums(List<TensorData> inputs) {
        TensorData in = inputs.get(0);
        batchRows.add(in.rows());
        long cols = in.dim(1);
        ByteBuffer out = ByteBuffer.allocate((int) (in.rows() * 4)).order(ByteOrder.nativeOrder());
        ByteBuffer data = in.data();
        for (long r = 0; r < in.rows(); r++) {
            float sum = 0;
            for (long c = 0; c < cols; c++) {
                sum += data.getFloat();
            }
            out.putFloat(sum);
        }
        out.flip();
        return List.of(new TensorData("sum", DataType.FP32, new long[]{in.rows(), 1}, out));
    }

    private static TensorData rows(float... values) {
        return matrix(values.length / 2, 2, values);
    }

    private static TensorData matrix(int rows, int cols, float... values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        for (float v : values) {
            b.putFloat(v);
        }
        b.flip();
        return new TensorData("x", DataType.FP32, new long[]{rows, cols}, b);
    }

    private Batcher batcher(int maxBatch, int delayMs, int capacity) {
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, -1}, null);
        return new Batcher("test", List.of(spec), new BatchingSettings(maxBatch, delayMs, capacity, 1), this::rowSums, executor,
                BatchObserver.NONE);
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnRows() throws Exception {
        Batcher b = batcher(16, 50, 100);
        List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            futures.add(b.submit(List.of(rows(i, 1, i, 2))));
        }
        for (int i = 0; i < 12; i++) {
            ByteBuffer out = futures.get(i).get(5, TimeUnit.SECONDS).outputs().get(0).data();
            assertEquals(i + 1, out.getFloat(), 0f, "row 1 of request " + i);
            assertEquals(i + 2, out.getFloat(), 0f, "row 2 of request " + i);
        }
        assertTrue(batchRows.size() < 12, "12 requests within the delay ran as " + batchRows.size() + " batches");
        assertTrue(batchRows.stream().allMatch(r -> r <= 16), "no batch above max_batch_size: " + batchRows);
    }

    @Test
    void requestsWithDifferentRowShapesNeverShareABatch() throws Exception {
        Batcher b = batcher(16, 50, 100);
        CompletableFuture<BatchResult> narrow = b.submit(List.of(matrix(1, 2, 1, 2)));
        CompletableFuture<BatchResult> wide = b.submit(List.of(matrix(1, 3, 1, 2, 3)));
        assertEquals(3f, narrow.get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        assertEquals(6f, wide.get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        assertEquals(List.of(1L, 1L), batchRows);
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        Batcher b = new Batcher("slow", List.of(spec), new BatchingSettings(1, 0, 2, 1), inputs -> {
            firstRunning.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rowSums(inputs);
        }, executor, null, BatchObserver.NONE, false);
        List<CompletableFuture<BatchResult>> accepted = new ArrayList<>();
        accepted.add(b.submit(List.of(rows(1, 1))));
        // the one worker holds the first request, so the queue of two is empty again
        assertTrue(firstRunning.await(10, TimeUnit.SECONDS), "the first request reached the model");
        accepted.add(b.submit(List.of(rows(2, 2))));
        accepted.add(b.submit(List.of(rows(3, 3))));
        QueueFullException full = assertThrows(QueueFullException.class, () -> b.submit(List.of(rows(4, 4))));
        assertEquals(1, full.retryAfterSeconds().getAsInt());
        release.countDown();
        for (CompletableFuture<BatchResult> f : accepted) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertEquals(0, b.queueDepth());
    }

    @Test
    void theWorkerRunsTheNextBatchWhileTheLastOnesAnswerIsWritten() throws Exception {
        ExecutorService answers = Executors.newSingleThreadExecutor();
        CountDownLatch dependentRegistered = new CountDownLatch(1);
        CountDownLatch secondForward = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        List<Thread> forwardThreads = Collections.synchronizedList(new ArrayList<>());
        Batcher b = new Batcher("hand-off", List.of(spec), new BatchingSettings(1, 0, 10, 1), inputs -> {
            forwardThreads.add(Thread.currentThread());
            try {
                if (forwardThreads.size() == 1) {
                    dependentRegistered.await(5, TimeUnit.SECONDS);
                } else {
                    secondForward.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rowSums(inputs);
        }, executor, answers, BatchObserver.NONE, false);
        try {
            CompletableFuture<BatchResult> first = b.submit(List.of(rows(1, 1)));
            List<Thread> answerThreads = Collections.synchronizedList(new ArrayList<>());
            // the first answer is "written" (its dependents run) until released: a slow write
            CompletableFuture<Void> firstWritten = first.thenRun(() -> {
                answerThreads.add(Thread.currentThread());
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            dependentRegistered.countDown();
            CompletableFuture<BatchResult> second = b.submit(List.of(rows(2, 2)));
            assertTrue(secondForward.await(10, TimeUnit.SECONDS), "the worker ran the second batch while the first answer was being written");
            release.countDown();
            firstWritten.get(5, TimeUnit.SECONDS);
            assertEquals(4f, second.get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
            assertTrue(answerThreads.size() == 1 && !forwardThreads.contains(answerThreads.get(0)),
                    "the answer ran on the answer executor, not on the worker: " + answerThreads + " " + forwardThreads);
        } finally {
            release.countDown();
            answers.shutdownNow();
        }
    }

    @Test
    void paddedInputsShareABatchAndKeepTheirOwnValues() throws Exception {
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, -1}, 0.0);
        Batcher b = new Batcher("padded", List.of(spec), new BatchingSettings(8, 50, 10, 1), this::rowSums, executor, BatchObserver.NONE);
        CompletableFuture<BatchResult> shortRow = b.submit(List.of(matrix(1, 2, 1, 2)));
        CompletableFuture<BatchResult> longRow = b.submit(List.of(matrix(1, 4, 1, 2, 3, 4)));
        assertEquals(3f, shortRow.get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        assertEquals(10f, longRow.get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        assertEquals(List.of(2L), batchRows, "padding let both rows run as one batch");
    }

    @Test
    void aFailingBatchIsRetriedOneByOneSoOnlyTheBadRequestFails() throws Exception {
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        Batcher b = new Batcher("picky", List.of(spec), new BatchingSettings(8, 50, 10, 1), inputs -> {
            if (inputs.get(0).data().getFloat(0) < 0 || (inputs.get(0).rows() > 1 && hasNegative(inputs.get(0)))) {
                throw new IllegalArgumentException("negative input");
            }
            return rowSums(inputs);
        }, executor, BatchObserver.NONE);
        CompletableFuture<BatchResult> good = b.submit(List.of(rows(1, 1)));
        CompletableFuture<BatchResult> bad = b.submit(List.of(rows(-1, 1)));
        assertArrayEquals(new long[]{1, 1}, good.get(5, TimeUnit.SECONDS).outputs().get(0).shape());
        assertTrue(assertThrows(Exception.class, () -> bad.get(5, TimeUnit.SECONDS)).getCause() instanceof IllegalArgumentException);
    }

    @Test
    void anIdleBatcherRunsALoneRequestOnTheCallersThread() throws Exception {
        List<Thread> ranOn = Collections.synchronizedList(new ArrayList<>());
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        Batcher b = new Batcher("inline", List.of(spec), new BatchingSettings(8, 0, 10, 1), inputs -> {
            ranOn.add(Thread.currentThread());
            return rowSums(inputs);
        }, executor, BatchObserver.NONE);
        CompletableFuture<BatchResult> f = b.submit(List.of(rows(1, 2)));
        assertTrue(f.isDone(), "answered before submit returned");
        assertEquals(3f, f.get().outputs().get(0).data().getFloat(), 0f);
        assertEquals(List.of(Thread.currentThread()), ranOn);
        assertEquals(0, b.queueDepth());
    }

    /**
     * A caller that finds the batcher idle runs its own request and no other: another caller's answer completed on
     * this request thread, in the middle of its dispatch, was answered by Liberty with an empty 200 under load.
     */
    @Test
    void aCallerRunningInlineNeverAnswersAnotherCaller() throws Exception {
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        java.util.Map<Float, Thread> ranOn = new java.util.concurrent.ConcurrentHashMap<>();
        Batcher b = new Batcher("inline", List.of(spec), new BatchingSettings(8, 0, 100, 1), inputs -> {
            ByteBuffer d = inputs.get(0).data().duplicate().order(ByteOrder.nativeOrder());
            for (long r = 0; r < inputs.get(0).rows(); r++) {
                ranOn.put(d.getFloat(), Thread.currentThread());
                d.getFloat();
            }
            return rowSums(inputs);
        }, executor, BatchObserver.NONE);
        int callers = 6;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < callers; c++) {
            int caller = c;
            Thread t = new Thread(() -> {
                try {
                    for (int round = 0; round < 300; round++) {
                        start.await();
                        float id = caller * 1000 + round;
                        assertEquals(id + 1, b.submit(List.of(rows(id, 1))).get(5, java.util.concurrent.TimeUnit.SECONDS)
                                .outputs().get(0).data().getFloat(), 0f);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                    start.reset();
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertEquals(List.of(), failures);
        assertEquals(callers * 300, ranOn.size());
        for (var e : ranOn.entrySet()) {
            Thread owner = threads.get((int) (e.getKey() / 1000));
            assertTrue(e.getValue() == owner || !threads.contains(e.getValue()),
                    "request " + e.getKey() + " of " + owner.getName() + " ran on another caller's thread " + e.getValue().getName());
        }
    }

    @Test
    void requestsArrivingWhileACallerRunsItsBatchAreBatchedByAWorker() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> ranOn = Collections.synchronizedList(new ArrayList<>());
        TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[]{-1, 2}, null);
        Batcher b = new Batcher("inline", List.of(spec), new BatchingSettings(8, 0, 10, 1), inputs -> {
            ranOn.add(Thread.currentThread());
            running.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rowSums(inputs);
        }, executor, BatchObserver.NONE);
        CompletableFuture<CompletableFuture<BatchResult>> first = new CompletableFuture<>();
        Thread caller = new Thread(() -> first.complete(b.submit(List.of(rows(1, 1)))));
        caller.start();
        assertTrue(running.await(5, TimeUnit.SECONDS));
        List<CompletableFuture<BatchResult>> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            later.add(b.submit(List.of(rows(i, i))));
        }
        assertEquals(5, b.queueDepth(), "the five wait while the caller's batch runs");
        release.countDown();
        assertEquals(2f, first.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        for (int i = 0; i < 5; i++) {
            assertEquals(2f * i, later.get(i).get(5, TimeUnit.SECONDS).outputs().get(0).data().getFloat(), 0f);
        }
        assertEquals(List.of(1L, 5L), batchRows);
        assertEquals(caller, ranOn.get(0));
        assertTrue(ranOn.get(1) != caller && ranOn.get(1) != Thread.currentThread(), "the five ran on a worker: " + ranOn);
    }

    private static boolean hasNegative(TensorData t) {
        ByteBuffer d = t.data();
        while (d.hasRemaining()) {
            if (d.getFloat() < 0) {
                return true;
            }
        }
        return false;
    }
}
