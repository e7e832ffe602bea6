package dev.seraphim.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One management action: who did what to which model version, when, and how it ended. */
@Entity
@Table(name = "management_audit")
public class ManagementAudit {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @Column(nullable = false)
    private String actor;
    @Column(nullable = false)
    private String action;
    @Column(name = "model_name")
    private String modelName;
    @Column(name = "model_version")
    private String modelVersion;
    private String detail;
    @Column(nullable = false)
    private String outcome;
    @Column(name = "error_text")
    private String errorText;
    @Column(name = "server_name", nullable = false)
    private String serverName;
    @Column(nullable = false)
    private OffsetDateTime at;

    protected ManagementAudit() {
    }

    ManagementAudit(String actor, String action, String modelName, String modelVersion, String detail, String errorText,
                    String serverName) {
        this.actor = actor;
        this.action = action;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.detail = detail;
        this.outcome = errorText == null ? "SUCCESS" : "FAILURE";
        this.errorText = errorText;
        this.serverName = serverName;
        this.at = OffsetDateTime.now();
    }

    public Long id() {
        return id;
    }

    public String actor() {
        return actor;
    }

    public String action() {
        return action;
    }

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public String detail() {
        return detail;
    }

    public String outcome() {
        return outcome;
    }

    public String errorText() {
        return errorText;
    }

    public OffsetDateTime at() {
        return at;
    }
}
