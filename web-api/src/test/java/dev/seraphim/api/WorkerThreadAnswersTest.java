package dev.seraphim.api;

import dev.seraphim.api.errors.ApiError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerThreadAnswersTest {
    @Test
    void aResultCompletedOnAWorkerClearsThatThreadBeforeTheAnswerIsWritten() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> result = new CompletableFuture<>();
        CompletableFuture<String> guarded = WorkerThreadAnswers.clearedOnWorker(result,
                () -> events.add("cleared on " + Thread.currentThread().getName()));
        // what the resource and RESTEasy chain on: the answer is built and written where the result completes
        CompletableFuture<Void> written = guarded.thenAccept(v -> events.add("written on " + Thread.currentThread().getName()));

        Thread worker = new Thread(() -> result.complete("rows"), "batch-worker");
        worker.start();
        worker.join();
        written.get(5, TimeUnit.SECONDS);

        assertEquals(List.of("cleared on batch-worker", "written on batch-worker"), events);
    }

    @Test
    void aFailureCompletedOnAWorkerClearsTooAndStillReachesTheAnswer() throws Exception {
        CountDownLatch cleared = new CountDownLatch(1);
        CompletableFuture<String> result = new CompletableFuture<>();
        CompletableFuture<String> answer = WorkerThreadAnswers.clearedOnWorker(result, cleared::countDown)
                .handle((v, failure) -> failure == null ? v : "error: " + ApiError.of(failure).status() + " " + ApiError.of(failure).message());

        Thread worker = new Thread(() -> result.completeExceptionally(new ApiError.BadRequestException("the forward failed")));
        worker.start();
        worker.join();

        assertEquals("error: 400 the forward failed", answer.get(5, TimeUnit.SECONDS));
        assertEquals(0, cleared.getCount(), "a failure answered on the worker clears the thread too");
    }

    @Test
    void aResultCompletedOnTheRequestsOwnThreadLeavesThatThreadAlone() throws Exception {
        // the batcher runs a lone request on its caller's thread, inside that request's dispatch: its record is live
        List<String> cleared = new ArrayList<>();
        CompletableFuture<String> result = CompletableFuture.completedFuture("rows");
        String answer = WorkerThreadAnswers.clearedOnWorker(result, () -> cleared.add(Thread.currentThread().getName())).get();

        assertEquals("rows", answer);
        assertTrue(cleared.isEmpty(), "cleared the request thread's own record: " + cleared);

        CompletableFuture<String> later = new CompletableFuture<>();
        CompletableFuture<String> guarded = WorkerThreadAnswers.clearedOnWorker(later, () -> cleared.add(Thread.currentThread().getName()));
        later.complete("rows"); // completed on the thread that asked, after the hand-off
        assertEquals("rows", guarded.get());
        assertTrue(cleared.isEmpty(), "cleared the request thread's own record: " + cleared);
    }

    @Test
    void withoutLibertysRecordAnswersAreWrittenAsBefore() throws Exception {
        jakarta.servlet.ServletRequest notLiberty = (jakarta.servlet.ServletRequest) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{jakarta.servlet.ServletRequest.class}, (proxy, method, args) -> null);
        WorkerThreadAnswers.locate(notLiberty);

        CompletableFuture<String> result = new CompletableFuture<>();
        CompletableFuture<String> guarded = WorkerThreadAnswers.clearedOnWorker(result);
        Thread worker = new Thread(() -> result.complete("rows"));
        worker.start();
        worker.join();
        assertEquals("rows", guarded.get(5, TimeUnit.SECONDS));
    }
}
