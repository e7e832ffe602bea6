-- libtorch's intra-op threads for one forward of a model version; NULL means the server's seraphim.inference.threads.
-- docs/registry.md
ALTER TABLE model_version ADD COLUMN intra_op_threads INTEGER CHECK (intra_op_threads BETWEEN 1 AND 1024);
