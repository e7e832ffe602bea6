package dev.seraphim.platform.shutdown;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A graceful stop on SIGTERM (a container runtime, Kubernetes, systemd): readiness goes DOWN at once, requests are
 * still served for {@code seraphim.shutdown.drain.seconds} so that a load balancer's health check or Kubernetes'
 * endpoint update takes the replica out first, and only then does the JVM begin Liberty's stop (queues drained,
 * in-flight requests finished, the audit written, the embedded PostgreSQL stopped last, by the beans' own
 * {@code @PreDestroy}s). If the whole stop takes longer than {@code seraphim.shutdown.timeout.seconds}, the process
 * halts. Liberty's own {@code server stop} (a command, not a signal) stops at once, as before.
 */
@Singleton
@Startup
public class Termination {
    private static final Logger LOG = Logger.getLogger(Termination.class.getName());

    @Inject
    @ConfigProperty(name = "seraphim.shutdown.drain.seconds", defaultValue = "5")
    long drainSeconds;

    @Inject
    @ConfigProperty(name = "seraphim.shutdown.timeout.seconds", defaultValue = "60")
    long timeoutSeconds;

    private static volatile boolean draining;
    private static volatile boolean installed;

    @PostConstruct
    void install() {
        // once per JVM: an application restart in the same server keeps the handler of the first start
        if (installed || drainSeconds <= 0) {
            return;
        }
        try {
            SignalHandler[] jvm = new SignalHandler[1];
            long drain = drainSeconds;
            long timeout = timeoutSeconds;
            jvm[0] = Signal.handle(new Signal("TERM"), signal -> {
                if (draining) {
                    return;
                }
                draining = true;
                Thread stop = new Thread(() -> drainThenStop(signal, jvm[0], drain, timeout), "seraphim-termination");
                stop.setDaemon(true);
                stop.start();
            });
            installed = true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            LOG.warning("SIGTERM stops the server at once: the signal cannot be handled here (" + e + ")");
        }
    }

    private static void drainThenStop(Signal signal, SignalHandler jvm, long drain, long timeout) {
        LOG.info("SIGTERM: readiness is DOWN; requests are still served for " + drain + " s (seraphim.shutdown.drain.seconds), then the server stops");
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(timeout);
                LOG.severe("the stop did not finish within seraphim.shutdown.timeout.seconds (" + timeout + " s): halting");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException ignored) {
                // the process ends first
            }
        }, "seraphim-termination-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            TimeUnit.SECONDS.sleep(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("SIGTERM: drain delay over; stopping (queues drained, audit written, PostgreSQL last)");
        // the JVM's own handling of the signal: its shutdown hooks, among them Liberty's orderly stop
        if (jvm != null && jvm != SignalHandler.SIG_DFL && jvm != SignalHandler.SIG_IGN) {
            jvm.handle(signal);
        } else {
            System.exit(143);
        }
    }

    /** True from SIGTERM on: readiness reports DOWN while requests are still served. */
    public boolean draining() {
        return draining;
    }
}
