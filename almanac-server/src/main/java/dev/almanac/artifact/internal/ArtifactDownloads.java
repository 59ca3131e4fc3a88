package dev.almanac.artifact.internal;

import dev.almanac.artifact.Artifacts;
import dev.almanac.common.Ids;
import dev.almanac.common.NotFoundException;
import dev.almanac.execution.ExecutionAccess;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionReports;
import java.util.List;
import java.util.UUID;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/** An execution's artifacts by the ids in a URL, and one of them as a download: for the API and the pages alike. */
@Component
public class ArtifactDownloads {

    private final Artifacts artifacts;
    private final ExecutionReports executions;
    private final ExecutionAccess access;

    ArtifactDownloads(Artifacts artifacts, ExecutionReports executions, ExecutionAccess access) {
        this.artifacts = artifacts;
        this.executions = executions;
        this.access = access;
    }

    /** The artifacts of an execution, oldest first. */
    List<Artifact> of(String executionId) {
        return artifacts.ofExecution(execution(executionId));
    }

    /** The file with its content type and a download file name; never sniffed, never shown inline. */
    ResponseEntity<Resource> download(String executionId, String artifactId) {
        UUID execution = execution(executionId);
        UUID artifactUuid =
                Ids.parse(artifactId).orElseThrow(() -> new NotFoundException("no artifact with id " + artifactId));
        Artifact artifact = artifacts.get(execution, artifactUuid);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(artifact.contentType()))
                .contentLength(artifact.sizeBytes())
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename(artifact.name())
                                .build()
                                .toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(new FileSystemResource(artifacts.file(artifact)));
    }

    /** An execution of a namespace the reader may not see is answered like a missing one. */
    private UUID execution(String id) {
        UUID execution = Ids.parse(id)
                .filter(executions::exists)
                .orElseThrow(() -> new NotFoundException("no execution with id " + id));
        access.getVisible(new ExecutionId(execution));
        return execution;
    }
}
