-- A model's traffic policy (issue 35, docs/rollouts.md): the weighted split of its unversioned requests over its
-- loaded versions and what keeps a user on one version, as JSON; NULL: every request goes to the default version.
ALTER TABLE registered_model ADD COLUMN traffic TEXT;
