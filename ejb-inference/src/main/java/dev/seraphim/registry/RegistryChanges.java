package dev.seraphim.registry;

import jakarta.persistence.OptimisticLockException;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How every change to the registry is made on this server: one at a time ({@link #locked}), each recorded in the
 * management audit with its outcome ({@link #audited}). Shared by the lifecycle commands, the replica sync and
 * the demo store's import.
 */
final class RegistryChanges {
    static final String SYSTEM = "system";

    private final ModelRegistry registry;
    private final String serverName;
    private final ReentrantLock changes = new ReentrantLock();

    RegistryChanges(ModelRegistry registry, String serverName) {
        this.registry = registry;
        this.serverName = serverName;
    }

    interface Step<T> {
        T run() throws IOException;
    }

    <T> T audited(String actor, String action, String model, String version, String detail, Step<T> step) {
        try {
            T result = step.run();
            registry.audit(actor, action, model, version, detail, null, serverName);
            return result;
        } catch (IOException e) {
            registry.audit(actor, action, model, version, detail, e.getMessage(), serverName);
            throw new IllegalStateException("the model store could not be written: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            registry.audit(actor, action, model, version, detail, reason(e), serverName);
            throw e;
        }
    }

    /** A failure's own message, not the EJB container's wrapper around it. */
    static String reason(RuntimeException e) {
        return e instanceof jakarta.ejb.EJBException && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
    }

    <T> T locked(Step<T> step) {
        changes.lock();
        try {
            return step.run();
        } catch (IOException e) {
            throw new IllegalStateException("the model store could not be written: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof OptimisticLockException) {
                    throw new RegistryConflictException("the model was changed at the same time by another call; retry");
                }
            }
            throw e;
        } finally {
            changes.unlock();
        }
    }
}
