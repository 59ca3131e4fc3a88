package dev.almanac.common;

import java.util.Optional;

/**
 * Which namespace an object belongs to, answered by the feature that owns it ({@code job} for jobs, {@code execution}
 * for executions): what the audit trail records and what access checks test, without either reading another
 * feature's tables.
 */
public interface NamespaceResolver {

    /** The namespace of the {@code type} object with this id; empty when this resolver does not know it. */
    Optional<String> namespaceOf(String type, String id);
}
