package dev.almanac.template;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Keeps the files a run produces with its execution, handed out by {@link JobContext#artifacts()}. */
public interface ArtifactStore {

    /** Writes an artifact's content; the stream is Almanac's and is closed by Almanac. */
    @FunctionalInterface
    interface ContentWriter {
        /**
         * Writes the content.
         *
         * @param out where to write; buffered
         * @throws IOException when writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Streams a new artifact to storage and records it with the execution. On failure nothing is kept.
     *
     * @param name the file name to offer for download; letters, digits, {@code . _ -} only
     * @param contentType the media type
     * @param writer writes the content
     * @return the stored artifact
     * @throws IOException when the content cannot be written
     */
    StoredArtifact write(String name, String contentType, ContentWriter writer) throws IOException;

    /**
     * Records an existing file (e.g. a backup in a configured directory) as an artifact of the execution, copying
     * it into the artifact store.
     *
     * @param name the file name to offer for download
     * @param contentType the media type
     * @param file the file to copy
     * @return the stored artifact
     * @throws IOException when the file cannot be read or stored
     */
    default StoredArtifact copyOf(String name, String contentType, Path file) throws IOException {
        return write(name, contentType, out -> java.nio.file.Files.copy(file, out));
    }
}
