-- Model files in PostgreSQL (issue 37, item 4): every registered artifact is stored here as well as in the
-- registering replica's store, in 1 MiB chunks, keyed by its sha256, so that a replica whose store lacks a file (a
-- new pod, an empty volume) fetches it, checks its digest, and serves the version. Written in one transaction: a
-- reader sees an artifact whole or not at all.
CREATE TABLE model_artifact (
    sha256    CHAR(64)  PRIMARY KEY,
    bytes     BIGINT    NOT NULL CHECK (bytes >= 0),
    chunks    INTEGER   NOT NULL CHECK (chunks >= 0),
    stored_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE TABLE model_artifact_chunk (
    sha256 CHAR(64) NOT NULL REFERENCES model_artifact (sha256) ON DELETE CASCADE,
    seq    INTEGER  NOT NULL CHECK (seq >= 0),
    data   BYTEA    NOT NULL,
    PRIMARY KEY (sha256, seq)
);
