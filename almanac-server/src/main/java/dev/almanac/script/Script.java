package dev.almanac.script;

import java.time.Instant;
import java.util.UUID;

/**
 * A script: a name jobs refer to, a language, and versions of its source (see {@link ScriptVersion}). A script of a
 * {@code namespace} is its members' and its owners approve it; a global one (null) is approved by super admins.
 */
public record Script(
        UUID id,
        String name,
        Language language,
        String description,
        String createdBy,
        Instant createdAt,
        String namespace) {}
