package dev.seraphim.inference.batching;

import dev.seraphim.inference.ModelNotReadyException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dynamic batcher of one model version. Callers enqueue; a worker taken from the executor gathers up to
 * max_batch_size rows, waiting at most max_batch_delay_ms after the first request, runs them as one forward
 * and hands each caller its own rows. Workers exist only while there is work, at most {@code workers} at once.
 * The queue is bounded: a full queue refuses at once. Requests whose non-batch dimensions differ never share a
 * batch (unless the model pads them); a batch that fails is retried one request at a time so that one bad
 * request cannot fail its neighbours.
 *
 * <p>With no batch delay (the default) and no worker busy, the batch runs on the caller's own thread instead: a
 * request that finds the model idle has nobody to wait for, and the hand-off to a worker and back cost more than
 * a small model's forward. Requests that arrive while a batch runs queue up and a worker batches them as before.
 */
public final class Batcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Batcher.class.getName());

    private final String model;
    private final List<TensorSpec> inputSpecs;
    private final BatchRunner runner;
    private final Executor executor;
    /** Where a worker's batch is answered (null: on the worker), so that the worker can go on to the next batch. */
    private final Executor answers;
    private final BatchObserver observer;
    private final boolean runsWhenIdle;
    private volatile BatchingSettings settings;

    private final LinkedBlockingQueue<PendingInference> queue = new LinkedBlockingQueue<>();
    /** Requests taken from the queue that did not fit the batch being gathered; they go first next time. */
    private final ArrayDeque<PendingInference> carried = new ArrayDeque<>();
    private final ReentrantLock gathering = new ReentrantLock();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicInteger activeWorkers = new AtomicInteger();
    private volatile boolean closed;

    public Batcher(String model, List<TensorSpec> inputSpecs, BatchingSettings settings, BatchRunner runner,
                   Executor executor, BatchObserver observer) {
        this(model, inputSpecs, settings, runner, executor, null, observer, true);
    }

    /** {@code runsWhenIdle}: whether a caller that finds the batcher idle (and no delay configured) runs its batch itself. */
    public Batcher(String model, List<TensorSpec> inputSpecs, BatchingSettings settings, BatchRunner runner,
                   Executor executor, Executor answers, BatchObserver observer, boolean runsWhenIdle) {
        this.model = model;
        this.runsWhenIdle = runsWhenIdle;
        this.inputSpecs = List.copyOf(inputSpecs);
        this.settings = settings;
        this.runner = runner;
        this.executor = executor;
        this.answers = answers;
        this.observer = observer;
    }

    /** Queues a request; its inputs must be checked against the signature and in signature order. */
    public CompletableFuture<BatchResult> submit(List<TensorData> inputs) {
        if (closed) {
            throw new ModelNotReadyException("model " + model + " is unloading");
        }
        BatchingSettings s = settings;
        int d;
        do {
            d = depth.get();
            if (d >= s.queueCapacity()) {
                observer.rejected();
                lastRejectedNanos = System.nanoTime();
                everRejected = true;
                throw new QueueFullException("the queue of model " + model + " is full (" + s.queueCapacity()
                        + " requests waiting); retry later", 1);
            }
        } while (!depth.compareAndSet(d, d + 1));
        PendingInference pending = new PendingInference(inputs, inputSpecs, System.nanoTime());
        if (runsWhenIdle && s.maxBatchDelayMs() == 0 && claimWorker()) {
            runAlone(pending);
            return pending.result;
        }
        queue.add(pending);
        wakeWorker();
        return pending.result;
    }

    /**
     * The caller found no worker busy and no delay configured: its request runs on its own thread, alone, without
     * entering the queue. Only its own: completing another request's future here would run that request's response
     * on this request thread, in the middle of this request's dispatch, and under load Liberty then answered such
     * requests with an empty 200 (docs/architecture.md, "Answers written away from the request's thread"). What is queued meanwhile goes to a worker.
     */
    private void runAlone(PendingInference own) {
        release(own);
        started(own, System.nanoTime());
        try {
            run(new Batch(List.of(own)), false);
        } finally {
            giveBackWorker();
        }
    }

    private boolean claimWorker() {
        int active;
        while ((active = activeWorkers.get()) < settings.workers()) {
            if (activeWorkers.compareAndSet(active, active + 1)) {
                return true;
            }
        }
        return false;
    }

    private volatile long lastRejectedNanos;
    private volatile boolean everRejected;
    private final BatchFigures figures = new BatchFigures();

    /** Whether a request was refused for a full queue within the last {@code windowNanos}. */
    public boolean rejectedWithin(long windowNanos) {
        return everRejected && System.nanoTime() - lastRejectedNanos < windowNanos;
    }

    /** Nanoseconds since a request was last refused for a full queue; {@link Long#MAX_VALUE} when none ever was. */
    public long nanosSinceRejection() {
        return everRejected ? System.nanoTime() - lastRejectedNanos : Long.MAX_VALUE;
    }

    public int queueDepth() {
        return depth.get();
    }

    /** The batches run so far, by size. */
    public BatchFigures.Snapshot figures() {
        return figures.snapshot();
    }

    public BatchingSettings settings() {
        return settings;
    }

    /** New settings apply from the next batch on; a smaller capacity refuses new requests until the queue drains. */
    public void update(BatchingSettings newSettings) {
        this.settings = newSettings;
        wakeWorker();
    }

    private void wakeWorker() {
        if (claimWorker()) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                activeWorkers.decrementAndGet();
                LOG.log(Level.WARNING, "executor refused a batch worker for model {0}: {1}", new Object[]{model, e.getMessage()});
                failAll(new ModelNotReadyException("no inference worker is available for model " + model));
            }
        }
    }

    /** Runs batches on this thread until none is queued, with a claimed worker slot, then gives it back. */
    private void drain() {
        try {
            Batch batch;
            while ((batch = gather()) != null) {
                run(batch, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            giveBackWorker();
        }
    }

    private void giveBackWorker() {
        activeWorkers.decrementAndGet();
        // a request may have arrived after the last gather() and before this slot was given back
        if (depth.get() > 0) {
            wakeWorker();
        }
    }

    private void started(PendingInference m, long now) {
        m.startedNanos = now;
        observer.queueWaited(now - m.enqueuedNanos);
    }

    private Batch gather() throws InterruptedException {
        Batch batch;
        do {
            batch = gatherOnce();
        } while (batch != null && batch.members.isEmpty());
        return batch;
    }

    /** One batch, or null when nothing is queued; empty when every member's caller gave up while it gathered. */
    private Batch gatherOnce() throws InterruptedException {
        gathering.lock();
        try {
            PendingInference first = nextLive(0);
            if (first == null) {
                return null;
            }
            BatchingSettings s = settings;
            List<PendingInference> members = new ArrayList<>();
            members.add(first);
            long rows = first.rows;
            long deadline = first.enqueuedNanos + TimeUnit.MILLISECONDS.toNanos(s.maxBatchDelayMs());
            List<PendingInference> skipped = new ArrayList<>();
            while (rows < s.maxBatchSize()) {
                PendingInference next = carried.isEmpty() ? nextLive(deadline - System.nanoTime()) : carried.pollFirst();
                if (next == null) {
                    break;
                }
                if (next.abandoned()) {
                    release(next);
                    observer.expiredInQueue();
                    continue;
                }
                if (!next.compatibility.equals(first.compatibility) || rows + next.rows > s.maxBatchSize()) {
                    skipped.add(next);
                    if (rows + next.rows > s.maxBatchSize() && next.compatibility.equals(first.compatibility)) {
                        break;
                    }
                    continue;
                }
                members.add(next);
                rows += next.rows;
            }
            for (int i = skipped.size() - 1; i >= 0; i--) {
                carried.addFirst(skipped.get(i));
            }
            members.forEach(this::release);
            // a caller may have given up during the batch delay (a deadline, a cancelled call): not run for nobody
            List<PendingInference> live = new ArrayList<>(members.size());
            for (PendingInference m : members) {
                if (m.abandoned()) {
                    observer.expiredInQueue();
                } else {
                    live.add(m);
                }
            }
            long now = System.nanoTime();
            live.forEach(m -> started(m, now));
            return new Batch(live);
        } finally {
            gathering.unlock();
        }
    }

    /** The next request still wanted by its caller, waiting up to {@code waitNanos} for one. */
    private PendingInference nextLive(long waitNanos) throws InterruptedException {
        while (true) {
            PendingInference p = carried.pollFirst();
            if (p == null) {
                p = waitNanos > 0 ? queue.poll(waitNanos, TimeUnit.NANOSECONDS) : queue.poll();
            }
            if (p == null) {
                return null;
            }
            if (!p.abandoned()) {
                return p;
            }
            release(p);
            observer.expiredInQueue();
        }
    }

    /** A request left the queue: into a batch, or dropped. */
    private void release(PendingInference ignored) {
        depth.decrementAndGet();
    }

    private void run(Batch batch, boolean onWorker) {
        long start = System.nanoTime();
        try {
            List<TensorData> outputs = runner.run(batch.inputs(inputSpecs));
            List<List<TensorData>> perMember = batch.split(outputs);
            long compute = System.nanoTime() - start;
            observer.batchRan(batch.members.size(), batch.rows, compute);
            figures.ran(batch.rows, compute);
            answer(batch, perMember, compute, onWorker);
        } catch (RuntimeException | Error e) {
            if (batch.members.size() > 1) {
                LOG.log(Level.FINE, "batch of {0} requests for model {1} failed, running them one by one: {2}",
                        new Object[]{batch.members.size(), model, e.getMessage()});
                batch.members.forEach(m -> run(new Batch(List.of(m)), onWorker));
            } else {
                batch.members.get(0).result.completeExceptionally(e);
            }
        }
    }

    /**
     * Completes each member's future, which writes its answer. On a worker with an answer executor the answers are
     * written there, so that the worker gathers and runs the next batch meanwhile: written on the worker, a batch of
     * 31 answers kept text-classifier's worker from its forward for about a fifth of the time while a core stood idle.
     */
    private void answer(Batch batch, List<List<TensorData>> perMember, long compute, boolean onWorker) {
        Runnable complete = () -> {
            for (int i = 0; i < batch.members.size(); i++) {
                PendingInference m = batch.members.get(i);
                m.result.complete(new BatchResult(perMember.get(i), batch.rows, m.startedNanos - m.enqueuedNanos, compute));
            }
        };
        if (onWorker && answers != null) {
            try {
                answers.execute(complete);
                return;
            } catch (RejectedExecutionException e) {
                LOG.log(Level.FINE, "answers of model {0} written on the worker: {1}", new Object[]{model, e.getMessage()});
            }
        }
        complete.run();
    }

    private void failAll(RuntimeException cause) {
        PendingInference p;
        while ((p = queue.poll()) != null) {
            release(p);
            p.result.completeExceptionally(cause);
        }
        gathering.lock();
        try {
            while ((p = carried.pollFirst()) != null) {
                release(p);
                p.result.completeExceptionally(cause);
            }
        } finally {
            gathering.unlock();
        }
    }

    /**
     * Refuses new requests, lets the queued ones run (up to {@code patience}), then fails whatever is left.
     * Used when a version is unloaded or replaced, so that its callers are answered rather than dropped.
     */
    public void drainAndClose(java.time.Duration patience) {
        closed = true;
        long deadline = System.nanoTime() + patience.toNanos();
        while ((depth.get() > 0 || activeWorkers.get() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failAll(new ModelNotReadyException("model " + model + " was unloaded"));
    }

    /** Refuses new requests and fails the waiting ones; a batch already running finishes. */
    @Override
    public void close() {
        closed = true;
        failAll(new ModelNotReadyException("model " + model + " is unloading"));
    }
}
