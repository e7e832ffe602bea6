package dev.seraphim.api;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * Makes RESTEasy write every answer with blocking IO on the thread that produced it. Without it, an answer that
 * completes away from its request's thread (every batched inference, completed by a batch worker) is written through
 * Servlet non-blocking IO, because our byte[] bodies have an async-capable writer: RESTEasy registers a WriteListener
 * and Liberty runs the write, and then {@code AsyncContext.complete()}, in a {@code WriteListenerRunnable} on another
 * pool thread. That runnable keeps the constructing thread's <em>live</em> dispatch record rather than a copy (its
 * sibling {@code CompleteRunnable} copies), and reads it only when it runs; by then the worker has often gone on to
 * serve another HTTP request, so the answer is written and completed inside that other request's context. When that
 * request has finished first, its context has been reset, and the completion fails (SRVE8504W from the CDI async
 * listener, or rarer, a failed write). Measured on Liberty 26.0.0.3: 6 such foreign-record completions in 1.2 M
 * requests without this class, none in 1.3 M with it (docs/architecture.md, "Answers written away from the request's thread").
 *
 * <p>RESTEasy only takes the non-blocking path when every writer interceptor is an {@code AsyncWriterInterceptor};
 * this one is a plain {@link WriterInterceptor}, and that alone turns the path off. The blocking write goes into
 * Liberty's response buffer (the socket write then happens when the request completes); an answer larger than the
 * buffer writes to the socket from the worker, so a slow reader of a large answer holds a batch worker for that
 * long, as it would hold a request thread in a synchronous resource.
 */
@Provider
public class BlockingAnswerWrites implements WriterInterceptor {
    private static final Logger LOG = Logger.getLogger(BlockingAnswerWrites.class.getName());
    /** Said once, on the first answer, so that a test (and an operator) can see the interceptor is in the chain. */
    private static volatile boolean said;

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        if (!said) {
            said = true;
            LOG.info("answers are written with blocking IO on the thread that completes them (a batch worker for batched inferences)");
        }
        context.proceed();
    }
}
