-- The model registry: models, their versions (artifact, signature, settings, lifecycle state), the default
-- version of each model, and the audit of every management action.
CREATE TABLE registered_model (
    id                       BIGSERIAL PRIMARY KEY,
    name                     VARCHAR(128) NOT NULL UNIQUE,
    description              TEXT,
    owner                    VARCHAR(128),
    default_version          VARCHAR(64),
    previous_default_version VARCHAR(64),
    created_at               TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    lock_version             BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE model_version (
    id                 BIGSERIAL PRIMARY KEY,
    model_id           BIGINT NOT NULL REFERENCES registered_model (id) ON DELETE CASCADE,
    version            VARCHAR(64) NOT NULL,
    description        TEXT,
    artifact_path      TEXT NOT NULL,
    artifact_sha256    CHAR(64) NOT NULL,
    artifact_bytes     BIGINT NOT NULL,
    signature          TEXT NOT NULL,
    labels             TEXT,
    metrics            TEXT,
    max_batch_size     INTEGER,
    max_batch_delay_ms INTEGER,
    queue_capacity     INTEGER,
    workers            INTEGER,
    timeout_ms         BIGINT,
    state              VARCHAR(16) NOT NULL
        CHECK (state IN ('REGISTERED', 'LOADING', 'READY', 'FAILED', 'UNLOADED', 'ARCHIVED')),
    wanted_loaded      BOOLEAN NOT NULL DEFAULT FALSE,
    last_error         TEXT,
    created_by         VARCHAR(128) NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_by         VARCHAR(128),
    updated_at         TIMESTAMP WITH TIME ZONE,
    lock_version       BIGINT NOT NULL DEFAULT 0,
    UNIQUE (model_id, version)
);
CREATE INDEX model_version_wanted ON model_version (wanted_loaded) WHERE wanted_loaded;

CREATE TABLE management_audit (
    id            BIGSERIAL PRIMARY KEY,
    actor         VARCHAR(128) NOT NULL,
    action        VARCHAR(64)  NOT NULL,
    model_name    VARCHAR(128),
    model_version VARCHAR(64),
    detail        TEXT,
    outcome       VARCHAR(16)  NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE')),
    error_text    TEXT,
    server_name   VARCHAR(255) NOT NULL,
    at            TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX management_audit_at ON management_audit (at DESC);
