package dev.almanac.artifact.internal;

import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * An execution's artifacts in the admin UI: the list the execution page loads, and each file as a download for the
 * signed-in session (the API's download wants a token). Built on {@link ArtifactDownloads}, like the REST API.
 */
@AdminPage
@RequestMapping("/executions/{id}/artifacts")
public class ArtifactPages {

    private final ArtifactDownloads downloads;

    ArtifactPages(ArtifactDownloads downloads) {
        this.downloads = downloads;
    }

    @GetMapping
    String list(@PathVariable String id, @RequestParam(required = false) boolean live, HtmxRequest htmx, Model model) {
        model.addAttribute("artifacts", downloads.of(id));
        model.addAttribute("executionId", id);
        model.addAttribute("live", live);
        return htmx.isHtmxRequest() ? "artifacts/list :: artifacts" : "artifacts/list";
    }

    @GetMapping("/{artifactId}")
    ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String artifactId) {
        return downloads.download(id, artifactId);
    }
}
