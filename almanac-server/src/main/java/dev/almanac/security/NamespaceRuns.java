package dev.almanac.security;

/** How many runs of a namespace's jobs are running now, answered by the execution feature: what its page shows. */
public interface NamespaceRuns {

    /** The running executions of the jobs in {@code namespace}. */
    long runningIn(String namespace);
}
