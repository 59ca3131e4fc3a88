package dev.almanac.artifact;

import dev.almanac.artifact.internal.Artifact;
import dev.almanac.artifact.internal.ArtifactRepository;
import dev.almanac.common.NotFoundException;
import dev.almanac.template.ArtifactDeletion;
import dev.almanac.template.ArtifactStore;
import dev.almanac.template.StoredArtifact;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * The artifact store: files under {@code <data-dir>/artifacts/<execution id>/}, one row each in {@code artifacts}.
 * Content is streamed to a temporary file while its SHA-256 is computed, then moved into place and recorded; a
 * write that fails leaves nothing behind.
 */
@Service
public class Artifacts implements ArtifactDeletion {

    /** Names offered for download: no separators, no leading dot, nothing a browser or shell reads specially. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final ArtifactRepository repository;
    private final Path root;
    private final Clock clock;

    Artifacts(ArtifactRepository repository, @Value("${almanac.data-dir}") Path dataDir, Clock clock) {
        this.repository = repository;
        this.root = dataDir.toAbsolutePath().normalize().resolve("artifacts");
        this.clock = clock;
    }

    /** The store one execution's run writes to. */
    public ArtifactStore forExecution(UUID executionId) {
        return (name, contentType, writer) -> store(executionId, name, contentType, writer);
    }

    private StoredArtifact store(UUID executionId, String name, String contentType, ArtifactStore.ContentWriter writer)
            throws IOException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("artifact name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        UUID id = UUID.randomUUID();
        Path directory = root.resolve(executionId.toString());
        Files.createDirectories(directory);
        Path file = directory.resolve(id + "-" + name);
        Path partial = directory.resolve(id + ".part");
        MessageDigest sha256 = sha256();
        long size;
        try {
            try (CountingOutputStream counted = new CountingOutputStream(Files.newOutputStream(partial));
                    OutputStream out = new BufferedOutputStream(new DigestOutputStream(counted, sha256), 64 * 1024)) {
                writer.writeTo(new UnclosableOutputStream(out));
                out.flush();
                size = counted.count;
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Artifact artifact = new Artifact(
                id,
                executionId,
                name,
                root.relativize(file).toString(),
                size,
                HexFormat.of().formatHex(sha256.digest()),
                contentType,
                clock.instant());
        try {
            repository.insert(artifact);
        } catch (RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new StoredArtifact(id.toString(), name, artifact.contentType(), artifact.sizeBytes(), artifact.sha256());
    }

    /**
     * Deletes the files and rows of the artifacts of these executions: before the executions go (the retention job),
     * or after (a deleted record, whose rows went with it), since an execution's files are in a directory of its own.
     */
    @Override
    public int deleteOfExecutions(List<UUID> executionIds) throws IOException {
        int deleted = 0;
        for (UUID execution : executionIds) {
            for (Artifact artifact : repository.ofExecution(execution)) {
                Path file = root.resolve(artifact.path()).normalize();
                if (file.startsWith(root)) {
                    Files.deleteIfExists(file);
                }
                repository.delete(artifact.id());
                deleted++;
            }
            // the execution's own directory: also the files whose rows went with an execution deleted before this
            Path directory = root.resolve(execution.toString()).normalize();
            if (directory.startsWith(root) && !directory.equals(root) && Files.isDirectory(directory)) {
                try (var left = Files.list(directory)) {
                    for (Path file : left.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(directory);
            }
        }
        return deleted;
    }

    public List<Artifact> ofExecution(UUID executionId) {
        return repository.ofExecution(executionId);
    }

    public Artifact get(UUID executionId, UUID id) {
        return repository
                .find(executionId, id)
                .orElseThrow(() -> new NotFoundException("no artifact " + id + " in execution " + executionId));
    }

    /** The file of an artifact, which must lie inside the artifact directory. */
    public Path file(Artifact artifact) {
        Path file = root.resolve(artifact.path()).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            throw new NotFoundException("the file of artifact " + artifact.id() + " is gone");
        }
        return file;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** The store closes the stream; a writer that closes it (a GZIP or CSV wrapper) only finishes its own part. */
    private static final class UnclosableOutputStream extends java.io.FilterOutputStream {
        UnclosableOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
