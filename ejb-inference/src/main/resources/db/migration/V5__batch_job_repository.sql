-- Liberty's Jakarta Batch job repository lives in this database, schema "batch" (server.xml databaseStore);
-- Liberty creates its tables there on first use but not the schema itself.
CREATE SCHEMA IF NOT EXISTS batch;
