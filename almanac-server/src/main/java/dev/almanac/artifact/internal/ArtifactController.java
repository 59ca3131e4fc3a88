package dev.almanac.artifact.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.core.io.Resource;
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
public class ArtifactController {

    /** One artifact as the API shows it. */
    record ArtifactList(List<Artifact> artifacts) {}

    private final ArtifactDownloads downloads;

    ArtifactController(ArtifactDownloads downloads) {
        this.downloads = downloads;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The artifacts of an execution (exports, reports, backups)")
    @ApiResponse(responseCode = "200", description = "The artifacts, oldest first")
    ArtifactList list(@PathVariable String id) {
        return new ArtifactList(downloads.of(id));
    }

    @GetMapping("/{artifactId}")
    @Operation(summary = "Download one artifact", description = "With its content type and a download file name.")
    @ApiResponse(responseCode = "200", description = "The file")
    ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String artifactId) {
        return downloads.download(id, artifactId);
    }
}
