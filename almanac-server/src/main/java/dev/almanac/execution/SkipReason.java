package dev.almanac.execution;

import java.util.Locale;

/** Why a slot or a trigger was recorded without running. */
public enum SkipReason {
    /** An earlier run of the job was still going and the job forbids overlap. */
    OVERLAP,
    /** The slot fell due while no node ran, and the misfire policy does not catch it up. */
    MISSED,
    /** The job was disabled when a dependency triggered it. */
    DISABLED,
    /** The job's parameters no longer validate against the installed version of its template. */
    INVALID;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
