package dev.almanac.script;

import java.time.Instant;
import java.util.UUID;

/** A script: a name jobs refer to, a language, and versions of its source (see {@link ScriptVersion}). */
public record Script(
        UUID id, String name, Language language, String description, String createdBy, Instant createdAt) {}
