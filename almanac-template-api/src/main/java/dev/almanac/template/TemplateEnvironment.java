package dev.almanac.template;

import java.util.List;
import java.util.Optional;

/**
 * What a template may know about Almanac's configuration while it validates parameters, without any I/O: the
 * targets and their allowlists. Passed to {@link JobTemplate#validate(java.util.Map, TemplateEnvironment)}.
 */
public interface TemplateEnvironment {

    /**
     * Every configured target, without credentials.
     *
     * @return the targets, in configured order
     */
    List<TargetDescription> targets();

    /**
     * One target by name.
     *
     * @param name the target's name
     * @return its description, or empty when no target has this name
     */
    default Optional<TargetDescription> target(String name) {
        return targets().stream().filter(target -> target.name().equals(name)).findFirst();
    }

    /**
     * An environment with no targets, for validating where Almanac's configuration is not known.
     *
     * @return the empty environment
     */
    static TemplateEnvironment empty() {
        return List::of;
    }
}
