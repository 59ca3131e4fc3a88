package dev.almanac.template;

import java.util.Optional;

/**
 * The environment parameters are validated in, as the jobs of one namespace see it: the allowed internal hosts of
 * outbound calls granted to it, and whether it may use a target. Implemented by the environment Almanac runs with;
 * {@link TemplateRegistry#validateParameters(String, java.util.Map, String)} uses it when it is there.
 */
public interface NamespaceEnvironments {

    /** The environment as the jobs of {@code namespace} see it. */
    NamespacedEnvironment in(String namespace);

    /** Why the jobs of {@code namespace} may not use target {@code target}; empty when they may. */
    Optional<String> targetRefusal(String target, String namespace);
}
