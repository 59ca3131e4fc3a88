package dev.almanac.artifact;

import dev.almanac.common.Ids;
import dev.almanac.common.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The files an execution produced: a list, and each one for download. */
@RestController
@RequestMapping("/api/admin/scheduler/executions/{id}/artifacts")
@Tag(name = "Executions")
class ArtifactController {

    /** One artifact as the API shows it. */
    record ArtifactList(List<Artifact> artifacts) {}

    private final Artifacts artifacts;

    ArtifactController(Artifacts artifacts) {
        this.artifacts = artifacts;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The artifacts of an execution (exports, reports, backups)")
    @ApiResponse(responseCode = "200", description = "The artifacts, oldest first")
    ArtifactList list(@PathVariable String id) {
        UUID execution = execution(id);
        return new ArtifactList(artifacts.ofExecution(execution));
    }

    @GetMapping("/{artifactId}")
    @Operation(summary = "Download one artifact", description = "With its content type and a download file name.")
    @ApiResponse(responseCode = "200", description = "The file")
    ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String artifactId) {
        UUID execution = execution(id);
        UUID artifactUuid =
                Ids.parse(artifactId).orElseThrow(() -> new NotFoundException("no artifact with id " + artifactId));
        Artifact artifact = artifacts.get(execution, artifactUuid);
        Path file = artifacts.file(artifact);
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
                .body(new FileSystemResource(file));
    }

    private UUID execution(String id) {
        UUID execution = Ids.parse(id)
                .filter(artifacts::executionExists)
                .orElseThrow(() -> new NotFoundException("no execution with id " + id));
        return execution;
    }
}
