package dev.almanac.template;

/**
 * The environment of the jobs of one namespace ({@link NamespaceEnvironments#in(String)}), saying which: for the rules
 * that depend on it, such as which scripts a job may run.
 */
public interface NamespacedEnvironment extends TemplateEnvironment {

    /** The namespace of the job being saved or run. */
    String namespace();
}
