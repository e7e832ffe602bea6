package dev.seraphim.api;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes an answer safe to write on a batch worker's thread. A batch worker completes its callers' futures, and
 * RESTEasy then writes each answer on that thread. Liberty's request looks up its dispatch context through a
 * per-thread record ({@code SRTServletRequestThreadData}) before its own, and a pooled thread that served an HTTP
 * request can keep that request's context there after the request finished. An answer written later on that thread
 * then meets a context Liberty has already reset: a NullPointerException in the response's setHeader, and the
 * caller gets a 500 or an empty 200 (docs/architecture.md, "Answers written away from the request's thread"). A worker thread is inside no dispatch, so
 * the right record there is an empty one: this class empties it before each answer written away from the
 * request's own thread, as Liberty's own async runnables do when they finish.
 *
 * <p>The record is Liberty's internal class, reached by reflection through the class loader of the first request
 * seen; where it cannot be found (another server, or a Liberty that renamed it) answers are written as before and
 * a warning says so once.
 */
public final class WorkerThreadAnswers {
    private static final Logger LOG = Logger.getLogger(WorkerThreadAnswers.class.getName());
    static final String THREAD_DATA = "com.ibm.ws.webcontainer.srt.SRTServletRequestThreadData";

    private static volatile boolean looked;
    /** Empties the calling thread's record; a no-op where the record was not found. */
    private static volatile Runnable clearThreadData = () -> { };

    private WorkerThreadAnswers() {
    }

    /** Finds Liberty's per-thread record through the container's request class, once (from the first request's filter). */
    static void locate(ServletRequest request) {
        if (looked) {
            return;
        }
        synchronized (WorkerThreadAnswers.class) {
            if (looked) {
                return;
            }
            looked = true;
            while (request instanceof ServletRequestWrapper wrapper) {
                request = wrapper.getRequest();
            }
            try {
                Class<?> data = Class.forName(THREAD_DATA, false, request.getClass().getClassLoader());
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                MethodHandle instance = lookup.findStatic(data, "getInstance", MethodType.methodType(data));
                MethodHandle init = lookup.findVirtual(data, "init", MethodType.methodType(void.class, data));
                // one handle of type ()void: this thread's record, then init(null) on it
                MethodHandle clearCurrent = MethodHandles.collectArguments(
                        MethodHandles.insertArguments(init, 1, (Object) null), 0, instance);
                // tried once here, on a request thread before its dispatch (its record is empty then), so that a
                // handle that cannot run is reported below rather than failing quietly on every answer
                clearCurrent.invokeExact();
                clearThreadData = () -> {
                    try {
                        clearCurrent.invokeExact();
                    } catch (Throwable t) {
                        LOG.log(Level.FINE, "could not clear the thread's dispatch record: {0}", t.toString());
                    }
                };
                LOG.info("answers written on batch worker threads first clear the thread's dispatch record (" + THREAD_DATA + ")");
            } catch (Throwable e) {
                LOG.warning("answers written on batch worker threads cannot clear the thread's dispatch record (" + e
                        + "); under load a rare answer may fail to be written (docs/architecture.md)");
            }
        }
    }

    /** The future, with the thread's record cleared before its dependents run when it completes on another thread. */
    public static <T> CompletableFuture<T> clearedOnWorker(CompletableFuture<T> result) {
        return clearedOnWorker(result, clearThreadData);
    }

    static <T> CompletableFuture<T> clearedOnWorker(CompletableFuture<T> result, Runnable clear) {
        Thread requestThread = Thread.currentThread();
        return result.whenComplete((value, failure) -> {
            if (Thread.currentThread() != requestThread) {
                clear.run();
            }
        });
    }
}
