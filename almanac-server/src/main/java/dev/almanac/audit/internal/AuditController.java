package dev.almanac.audit.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit trail over HTTP; super admins only (the security chain says so). */
@RestController
@RequestMapping(path = "/api/admin/scheduler/audit", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Audit", description = "Who changed, ran or was refused what, when and from where (super admins)")
public class AuditController {

    private static final String EXAMPLE = """
            {"events":[{"id":"0195f3c2-9a0b-7c1d-8e2f-3a4b5c6d7e8f","occurred_at":"2026-11-24T08:15:02.120Z",
              "actor":"alice","action":"job.updated","outcome":"success","target_type":"job",
              "target_id":"0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10","target_name":"nightly-heartbeat",
              "source_address":"10.0.0.7","via":"token:deploy (alm_3f9a1c2e…)",
              "details":{"version":4,"changes":{"parameters.message":{"before":"ping","after":"still here"}}}}],
             "next_before":null}
            """;

    private final AuditSearch search;

    AuditController(AuditSearch search) {
        this.search = search;
    }

    /** A page of the trail, newest first; pass {@code next_before} as {@code before} for the next page. */
    record AuditPage(
            List<AuditEvent> events,
            @JsonProperty("next_before") String nextBefore) {}

    @GetMapping
    @Operation(summary = "Search the audit trail, newest first")
    @ApiResponse(responseCode = "200", content = @Content(examples = @ExampleObject(EXAMPLE)))
    AuditPage search(
            @Parameter(description = "Exactly this user name") @RequestParam(required = false) String actor,
            @Parameter(description = "An action (job.updated) or a prefix of actions (job)")
                    @RequestParam(required = false)
                    String action,
            @Parameter(description = "A target's id or exact name") @RequestParam(required = false) String target,
            @Parameter(description = "At or after, ISO-8601") @RequestParam(required = false) String from,
            @Parameter(description = "Before, ISO-8601") @RequestParam(required = false) String to,
            @Parameter(description = "1..1000, default 100") @RequestParam(required = false) String limit,
            @Parameter(description = "next_before of the previous page (an event id is still read)")
                    @RequestParam(required = false)
                    String before,
            @Parameter(description = "Only events about jobs and executions of this namespace")
                    @RequestParam(required = false)
                    String namespace) {
        AuditSearch.Page page = search.search(
                new AuditSearch.Filter(actor, action, target, from, to, limit, before, namespace),
                AuditQuery.DEFAULT_LIMIT);
        return new AuditPage(page.events(), page.nextBefore());
    }
}
