package dev.almanac.template;

import java.util.List;

/**
 * Templates were installed in place of others after start-up: the jobs of these types must be checked against
 * them again.
 *
 * @param types the template types that changed
 */
public record TemplatesChanged(List<String> types) {}
