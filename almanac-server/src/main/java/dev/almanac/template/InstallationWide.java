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
     * job in {@code default}; a dry run of a job not saved yet). A real run whose job's namespace cannot be read (the
     * job was deleted while it started) does nothing: it fails rather than act on every namespace.
     *
     * @throws IllegalStateException for a real run whose job's namespace cannot be read
     */
    static String confinedTo(JobContext context) {
        if (context.environment() instanceof NamespacedEnvironment home) {
            return HOME.equals(home.namespace()) ? null : home.namespace();
        }
        if (!context.dryRun()) {
            throw new IllegalStateException(
                    "the job's namespace could not be read (was the job deleted?); nothing was done, so as not to act"
                            + " on every namespace");
        }
        return null;
    }
}
