package dev.almanac.template;

import java.util.Objects;

/**
 * A file a run produced and Almanac keeps with its execution (an export, a report, a backup), downloadable through
 * the API.
 *
 * @param id the artifact's id
 * @param name the file name shown and offered for download
 * @param contentType the media type, e.g. {@code text/csv}
 * @param sizeBytes the size in bytes
 * @param sha256 the SHA-256 of the content, lower-case hex
 */
public record StoredArtifact(String id, String name, String contentType, long sizeBytes, String sha256) {

    public StoredArtifact {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(sha256, "sha256");
    }
}
