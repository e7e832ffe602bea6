-- API keys: only a salted hash of each secret is kept. During a rotation's grace period the previous secret's
-- hash is kept beside the new one until previous_valid_until. updated_at drives every replica's key cache.
CREATE TABLE api_key (
    id                   VARCHAR(32)  PRIMARY KEY,
    name                 VARCHAR(128) NOT NULL,
    role                 VARCHAR(16)  NOT NULL CHECK (role IN ('admin', 'operator', 'client')),
    allowed_models       TEXT,
    salt                 CHAR(32)     NOT NULL,
    secret_hash          CHAR(64)     NOT NULL,
    previous_salt        CHAR(32),
    previous_secret_hash CHAR(64),
    previous_valid_until TIMESTAMP WITH TIME ZONE,
    expires_at           TIMESTAMP WITH TIME ZONE,
    rate_per_second      DOUBLE PRECISION,
    burst                INTEGER,
    created_by           VARCHAR(128) NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    revoked_at           TIMESTAMP WITH TIME ZONE,
    revoked_by           VARCHAR(128),
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX api_key_updated ON api_key (updated_at);

-- Access audit: every authentication failure, refusal and management call, with the key id (never a secret).
CREATE TABLE access_audit (
    id             BIGSERIAL PRIMARY KEY,
    at             TIMESTAMP WITH TIME ZONE NOT NULL,
    request_id     VARCHAR(128) NOT NULL,
    key_id         VARCHAR(32),
    client_address VARCHAR(64),
    method         VARCHAR(16)  NOT NULL,
    path           VARCHAR(512) NOT NULL,
    http_status    SMALLINT     NOT NULL,
    event          VARCHAR(32)  NOT NULL,
    server_name    VARCHAR(255) NOT NULL
);
CREATE INDEX access_audit_at ON access_audit (at);
