package dev.almanac.artifact.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/**
 * One stored artifact of an execution.
 *
 * @param id the artifact's id
 * @param executionId the execution that produced it
 * @param name the file name offered for download
 * @param path where it lies, relative to the artifact directory; never shown to clients
 * @param sizeBytes its size
 * @param sha256 its SHA-256, lower-case hex
 * @param contentType its media type
 * @param createdAt when it was stored
 */
public record Artifact(
        UUID id,
        UUID executionId,
        String name,
        @JsonIgnore String path,
        long sizeBytes,
        String sha256,
        String contentType,
        Instant createdAt) {}
