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
     * Says why the SSRF guard would refuse a URL, knowing the operator's allowlist: scheme, credentials, literal
     * addresses, numeric host forms, and the addresses a host name resolves to now (a name that does not resolve is
     * not refused here). The guard checks again, with the addresses resolved then, when the call is made.
     *
     * @param url the URL
     * @return why it is refused, or empty when it may be tried
     */
    default Optional<String> urlRefusal(String url) {
        return Optional.empty();
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
