package dev.almanac.script;

import java.util.List;
import java.util.UUID;

/** Which jobs run a script, and which of its versions: the job registry answers it for the script pages. */
public interface ScriptUsers {

    /**
     * A job that names a script.
     *
     * @param pinnedVersion the version it pins, or null when it follows the latest approved version
     */
    record Use(UUID jobId, String jobName, String namespace, Integer pinnedVersion) {}

    /** The jobs, among those the current reader may see, whose parameters name {@code script}, by name. */
    List<Use> jobsUsing(String script);
}
