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
    INVALID,
    /** The slot fell inside a blackout calendar, or outside every calendar the job may only run in. */
    CALENDAR,
    /** The slot fell inside a freeze window. */
    FREEZE,
    /** The job was paused when the slot fell due. */
    PAUSED;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
