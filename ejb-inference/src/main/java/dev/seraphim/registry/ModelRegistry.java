package dev.seraphim.registry;

import dev.seraphim.inference.ModelNotFoundException;
import dev.seraphim.inference.model.ModelDescriptor;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The registry's state in PostgreSQL, one transaction per call. Entities carry optimistic locks, so two
 * management calls racing on one version cannot both win: the loser gets a conflict.
 */
@Stateless
public class ModelRegistry {
    @PersistenceContext(unitName = "seraphim")
    EntityManager em;

    public boolean empty() {
        return em.createQuery("select count(m) from RegisteredModel m", Long.class).getSingleResult() == 0;
    }

    public List<RegisteredModel> models() {
        return em.createQuery("select m from RegisteredModel m order by m.name", RegisteredModel.class).getResultList();
    }

    public Optional<RegisteredModel> model(String name) {
        return em.createQuery("select m from RegisteredModel m where m.name = :n", RegisteredModel.class)
                .setParameter("n", name).getResultStream().findFirst();
    }

    public RegisteredModel requireModel(String name) {
        return model(name).orElseThrow(() -> new ModelNotFoundException("model '" + name + "' is not registered"));
    }

    public List<ModelVersion> versions(String name) {
        return em.createQuery("select v from ModelVersion v where v.model.name = :n order by v.createdAt, v.id", ModelVersion.class)
                .setParameter("n", name).getResultList();
    }

    public List<ModelVersion> allVersions() {
        return em.createQuery("select v from ModelVersion v order by v.model.name, v.id", ModelVersion.class).getResultList();
    }

    public Optional<ModelVersion> findVersion(String name, String version) {
        return em.createQuery("select v from ModelVersion v where v.model.name = :n and v.version = :v", ModelVersion.class)
                .setParameter("n", name).setParameter("v", version).getResultStream().findFirst();
    }

    public ModelVersion version(String name, String version) {
        requireModel(name);
        return findVersion(name, version).orElseThrow(() -> new ModelNotFoundException(
                "model '" + name + "' has no version '" + version + "'"));
    }

    /** The next free numeric version: one more than the highest number used so far. */
    public String nextVersion(String name) {
        long max = versions(name).stream().map(ModelVersion::version).filter(v -> v.matches("\\d{1,18}"))
                .mapToLong(Long::parseLong).max().orElse(0);
        return Long.toString(max + 1);
    }

    public ModelVersion register(ModelDescriptor d, String modelDescription, String owner, String versionDescription,
                                 ModelVersion.Artifact artifact, String labels, String metrics, String actor) {
        RegisteredModel model = model(d.name()).orElseGet(() -> {
            RegisteredModel m = new RegisteredModel(d.name(), modelDescription, owner);
            em.persist(m);
            return m;
        });
        if (findVersion(d.name(), d.version()).isPresent()) {
            throw new RegistryConflictException("model " + d.name() + " already has a version " + d.version());
        }
        ModelVersion v = new ModelVersion(model, d, versionDescription, artifact, labels, metrics, actor);
        em.persist(v);
        em.flush();
        return v;
    }

    public ModelVersion want(String name, String version, boolean loaded, String actor) {
        ModelVersion v = version(name, version);
        if (v.state() == VersionState.ARCHIVED && loaded) {
            throw new RegistryConflictException("version " + version + " of " + name + " is archived");
        }
        v.want(loaded, actor);
        return v;
    }

    public void loaded(String name, String version, String actor) {
        version(name, version).loaded(actor);
    }

    /**
     * Marks the version loaded and, when its model has no default, makes it the default in the same transaction:
     * a server killed between the two once left a READY first version and no default for ever. True when the
     * version became the default.
     */
    public boolean loadedDefaultingIfNone(String name, String version, String actor) {
        ModelVersion v = version(name, version);
        v.loaded(actor);
        RegisteredModel m = v.model();
        if (m.defaultVersion().isPresent()) {
            return false;
        }
        em.lock(m, LockModeType.OPTIMISTIC_FORCE_INCREMENT);
        m.makeDefault(version);
        return true;
    }

    public void failed(String name, String version, String error, String actor) {
        version(name, version).failed(error, actor);
    }

    public void unloaded(String name, String version, String actor) {
        version(name, version).unloaded(actor);
    }

    public void setDefault(String name, String version) {
        RegisteredModel m = requireModel(name);
        em.lock(m, LockModeType.OPTIMISTIC_FORCE_INCREMENT);
        version(name, version);
        m.makeDefault(version);
    }

    public String rollBack(String name) {
        RegisteredModel m = requireModel(name);
        em.lock(m, LockModeType.OPTIMISTIC_FORCE_INCREMENT);
        return m.rollBack();
    }

    public ModelVersion changeSettings(String name, String version, Integer maxBatchSize, Integer maxBatchDelayMs,
                                       Integer queueCapacity, Integer workers, Integer intraOpThreads, String actor) {
        ModelVersion v = version(name, version);
        v.changeSettings(maxBatchSize, maxBatchDelayMs, queueCapacity, workers, intraOpThreads, actor);
        return v;
    }

    /** The model's traffic policy (JSON), or none (null). */
    public RegisteredModel setTraffic(String name, String policyJson) {
        RegisteredModel m = requireModel(name);
        em.lock(m, LockModeType.OPTIMISTIC_FORCE_INCREMENT);
        m.traffic(policyJson);
        return m;
    }

    public ModelVersion changeHandler(String name, String version, ModelDescriptor checked, String actor) {
        ModelVersion v = version(name, version);
        v.changeHandler(checked.handler().<jakarta.json.JsonValue>map(h -> h.toJson()).orElse(jakarta.json.JsonValue.NULL), actor);
        return v;
    }

    /** Removes the version (and the model with its last version); returns the artifact's path to delete. */
    public String delete(String name, String version) {
        ModelVersion v = version(name, version);
        RegisteredModel m = v.model();
        m.forgetVersion(version);
        String path = v.artifactPath();
        em.remove(v);
        em.flush();
        if (versions(name).isEmpty()) {
            em.remove(m);
        }
        return path;
    }

    /** Archives versions created before the cut-off that are neither the default nor wanted loaded. */
    public List<String> archive(String name, OffsetDateTime before, String actor) {
        RegisteredModel m = requireModel(name);
        return versions(name).stream()
                .filter(v -> v.createdAt().isBefore(before) && !v.wantedLoaded() && v.state() != VersionState.ARCHIVED
                        && !m.defaultVersion().map(v.version()::equals).orElse(false))
                .peek(v -> v.archive(actor)).map(ModelVersion::version).toList();
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void audit(String actor, String action, String model, String version, String detail, String error, String server) {
        em.persist(new ManagementAudit(actor, action, model, version, detail, error, server));
    }

    public List<ManagementAudit> auditTrail(String model, int limit) {
        String q = "select a from ManagementAudit a" + (model != null ? " where a.modelName = :m" : "") + " order by a.id desc";
        var query = em.createQuery(q, ManagementAudit.class).setMaxResults(limit);
        if (model != null) {
            query.setParameter("m", model);
        }
        return query.getResultList();
    }
}
