package dev.seraphim.registry;

/** Where a model version is in its life: registered, being loaded, serving, failed, unloaded or archived. */
public enum VersionState { REGISTERED, LOADING, READY, FAILED, UNLOADED, ARCHIVED }
