package dev.almanac.security;

/** A namespace was created or changed (its quotas, its texts); published in the transaction that did it. */
public record NamespaceChanged(String namespace) {}
