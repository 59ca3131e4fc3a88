package dev.almanac.template;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * Deletes the artifacts (files and rows) of executions about to be deleted, or just deleted; implemented by the
 * artifact store, so the history retention template and the execution history need no dependency on it.
 */
public interface ArtifactDeletion {

    /** Deletes every artifact of these executions and returns how many there were. */
    int deleteOfExecutions(List<UUID> executionIds) throws IOException;
}
