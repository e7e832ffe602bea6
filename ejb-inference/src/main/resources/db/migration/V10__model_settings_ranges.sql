-- Batching settings and timeouts are checked when a registration is read (docs/registry.md); a row stored before
-- that check with a value the engine cannot take made every view of its model fail. Such values go back to the
-- server's default (NULL), and the ranges hold from now on.
UPDATE model_version SET max_batch_size = NULL WHERE max_batch_size NOT BETWEEN 1 AND 65536;
UPDATE model_version SET max_batch_delay_ms = NULL WHERE max_batch_delay_ms NOT BETWEEN 0 AND 60000;
UPDATE model_version SET queue_capacity = NULL WHERE queue_capacity NOT BETWEEN 1 AND 1000000;
UPDATE model_version SET workers = NULL WHERE workers NOT BETWEEN 1 AND 256;
UPDATE model_version SET timeout_ms = NULL WHERE timeout_ms < 1;
ALTER TABLE model_version
    ADD CONSTRAINT model_version_max_batch_size CHECK (max_batch_size BETWEEN 1 AND 65536),
    ADD CONSTRAINT model_version_max_batch_delay_ms CHECK (max_batch_delay_ms BETWEEN 0 AND 60000),
    ADD CONSTRAINT model_version_queue_capacity CHECK (queue_capacity BETWEEN 1 AND 1000000),
    ADD CONSTRAINT model_version_workers CHECK (workers BETWEEN 1 AND 256),
    ADD CONSTRAINT model_version_timeout_ms CHECK (timeout_ms >= 1);
