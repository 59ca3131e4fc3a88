package dev.almanac.template;

import java.util.Objects;

/**
 * What one version of a template changed, for operators reading {@code GET /templates/{type}} after an upgrade.
 *
 * @param version the version, as {@link JobTemplate#version()} returns it
 * @param summary one or two sentences; say when existing jobs need new or changed parameters
 */
public record TemplateChange(String version, String summary) {

    public TemplateChange {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(summary, "summary");
    }
}
