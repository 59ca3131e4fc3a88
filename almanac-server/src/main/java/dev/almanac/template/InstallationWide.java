package dev.almanac.template;

/**
 * A built-in template whose work can reach past its job's namespace (every namespace's runs or jobs): a job of it in
 * namespace {@code default}, where the installation's system jobs live, acts on the whole installation, and only a
 * super admin may create, change or run it there; a job in any other namespace acts on that namespace only. A
 * template reached through the SPI sees nothing beyond its own namespace ({@link JobContext}), so only built-ins need
 * this.
 */
public interface InstallationWide {

    /** The namespace of the system jobs (security's {@code Namespace.DEFAULT}, which this module may not import). */
    String HOME = "default";

    /** Whether a job of {@code template} in {@code namespace} acts on the whole installation. */
    static boolean actsOnInstallation(JobTemplate template, String namespace) {
        return template instanceof InstallationWide && (namespace == null || HOME.equals(namespace));
    }

    /**
     * The namespace a run of such a template confines its work to: the job's, or null for the whole installation (a
     * job in {@code default}, or a run whose job is gone).
     */
    static String confinedTo(JobContext context) {
        return context.environment() instanceof NamespacedEnvironment home && !HOME.equals(home.namespace())
                ? home.namespace()
                : null;
    }
}
