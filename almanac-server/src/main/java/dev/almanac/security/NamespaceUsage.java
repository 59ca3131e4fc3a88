package dev.almanac.security;

/** How many jobs a namespace holds, answered by the job registry: what its quota and its deletion check count. */
public interface NamespaceUsage {

    /** The jobs in {@code namespace}, counted up to {@code atMost}. */
    long jobsIn(String namespace, long atMost);
}
