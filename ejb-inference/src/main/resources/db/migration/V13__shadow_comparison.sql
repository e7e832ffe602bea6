-- Shadow comparisons of every replica (issue 35): each replica writes, every few seconds, how many rows its shadow
-- versions answered and how many of them agreed (argmax) with the live answer, so that a rollout's guard can judge a
-- candidate's agreement over the live traffic of all replicas since its step began. Kept 7 days by maintenance.
CREATE TABLE shadow_comparison (
    id             BIGSERIAL PRIMARY KEY,
    model_name     VARCHAR(128) NOT NULL,
    shadow_version VARCHAR(64)  NOT NULL,
    server_name    VARCHAR(128) NOT NULL,
    recorded_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    compared_rows  BIGINT       NOT NULL CHECK (compared_rows >= 0),
    agreeing_rows  BIGINT       NOT NULL CHECK (agreeing_rows >= 0 AND agreeing_rows <= compared_rows)
);
CREATE INDEX shadow_comparison_model_version_at ON shadow_comparison (model_name, shadow_version, recorded_at);
