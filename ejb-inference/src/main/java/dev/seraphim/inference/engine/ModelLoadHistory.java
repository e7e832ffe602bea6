package dev.seraphim.inference.engine;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/** Writes model loads to the database, each in its own transaction so that a failure never undoes a load. */
@Stateless
public class ModelLoadHistory {
    @PersistenceContext(unitName = "seraphim")
    EntityManager em;

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void record(ModelLoad load) {
        em.persist(load);
    }

    public long count(String modelName) {
        return em.createQuery("select count(l) from ModelLoad l where l.modelName = :m", Long.class)
                .setParameter("m", modelName).getSingleResult();
    }
}
