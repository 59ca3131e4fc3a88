package dev.almanac.jobfile;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The import / export page of the admin UI: download every job as a jobs file; upload one, see the plan of what it
 * would create, update or leave unchanged, then apply it. Built on {@link JobTransfer}, like the REST API, so the same
 * role rules and the same all-or-nothing apply hold.
 */
@AdminPage
@RequestMapping("/import")
class TransferPages {

    private final JobTransfer transfer;
    private final JsonMapper json;
    /** The largest jobs file, as through the API. */
    private final long maxBytes;

    TransferPages(
            JobTransfer transfer, JsonMapper json, @Value("${almanac.api.max-body-bytes:1048576}") long maxBytes) {
        this.transfer = transfer;
        this.json = json;
        this.maxBytes = maxBytes;
    }

    /**
     * One job of a plan as the page shows it ({@code namespace/name} outside the default namespace); what was applied
     * travels as a flash attribute, in the session.
     */
    public record PlanRow(
            String name, String action, List<ChangeLine> changes, List<String> errors, List<String> warnings)
            implements Serializable {}

    /** One field a job would change. */
    public record ChangeLine(String field, String before, String after) implements Serializable {}

    @GetMapping
    String page(Model model) {
        return page(null, null, null, List.of(), model);
    }

    @GetMapping("/export")
    ResponseEntity<String> export(@RequestParam(required = false) String format) {
        JobTransfer.Export export = transfer.export(format, null, null);
        return ResponseEntity.ok()
                .contentType(export.contentType())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + export.filename() + "\"")
                .body(export.body());
    }

    /** Reads an uploaded (or pasted) jobs file and shows what applying it would do; changes nothing. */
    @PostMapping("/plan")
    String plan(
            @RequestParam(required = false) MultipartFile file,
            @RequestParam(required = false) String text,
            HttpServletResponse response,
            Model model)
            throws IOException {
        long size = file != null && !file.isEmpty()
                ? file.getSize()
                : text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
        String contents = size > maxBytes
                ? ""
                : file != null && !file.isEmpty()
                        ? new String(file.getBytes(), StandardCharsets.UTF_8)
                        : text == null ? "" : text;
        String unreadable = refused(size, contents, response, model);
        if (unreadable != null) {
            return unreadable;
        }
        try {
            return page(transfer.importJobs("plan", contents), contents, null, List.of(), model);
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            return page(null, contents, null, messages(invalid.errors()), model);
        } catch (ForbiddenException refused) {
            Refusals.status(response, refused);
            return page(null, contents, null, List.of(refused.getMessage()), model);
        }
    }

    /**
     * Applies the planned file, all or nothing, only when its jobs are still as the plan saw them ({@code seen}: their
     * versions); when one changed since, or the file no longer applies cleanly, shows the plan again.
     */
    @PostMapping("/apply")
    String apply(
            @RequestParam(required = false) String text,
            @RequestParam(required = false) String seen,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        String contents = text == null ? "" : text;
        // the plan's limits hold here too: the text comes back from the browser, and may have been edited or replaced
        String unreadable = refused(contents.getBytes(StandardCharsets.UTF_8).length, contents, response, model);
        if (unreadable != null) {
            return unreadable;
        }
        try {
            JobTransfer.ImportResult applied = transfer.importJobs("apply", contents, seen(seen));
            Map<String, Long> summary = applied.summary();
            redirect.addFlashAttribute(
                    "flash",
                    "Jobs file applied: " + summary.get("create") + " created, " + summary.get("update") + " updated, "
                            + summary.get("unchanged") + " unchanged");
            redirect.addFlashAttribute("appliedJobs", rows(applied));
            return "redirect:/import";
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            JobTransfer.ImportResult plan = null;
            try {
                plan = transfer.importJobs("plan", contents);
            } catch (InvalidInputException notAJobsFile) {
                // the errors of the apply say why
            }
            return page(
                    plan,
                    contents,
                    "Nothing was applied: the file has errors. Fix them and upload it again.",
                    plan == null ? messages(invalid.errors()) : List.of(),
                    model);
        } catch (ConflictException changed) {
            // a job changed since the plan was shown: the plan as it stands now, to look at before applying again
            Refusals.status(response, changed);
            JobTransfer.ImportResult plan = null;
            try {
                plan = transfer.importJobs("plan", contents);
            } catch (InvalidInputException | ForbiddenException notPlanned) {
                // the conflict says what changed
            }
            return page(
                    plan,
                    contents,
                    "Nothing was applied: jobs were changed since the plan was shown (" + changed.getMessage()
                            + "). This is the plan as it stands now; apply it again if it is still what you want.",
                    plan == null ? List.of(changed.getMessage()) : List.of(),
                    model);
        } catch (ForbiddenException refused) {
            Refusals.status(response, refused);
            return page(null, contents, null, List.of(refused.getMessage()), model);
        }
    }

    /** The versions the plan saw, as the page carried them; null (holding to nothing) when there are none. */
    private Map<String, Long> seen(String seen) {
        if (seen == null || seen.isBlank()) {
            return null;
        }
        try {
            Map<String, Long> versions = new java.util.HashMap<>();
            json.readTree(seen)
                    .properties()
                    .forEach(entry ->
                            versions.put(entry.getKey(), entry.getValue().asLong()));
            return versions;
        } catch (tools.jackson.core.JacksonException unreadable) {
            throw new InvalidInputException(List.of(new FieldError("seen", "is not the plan this page showed")));
        }
    }

    /**
     * The page refusing a text larger than a jobs file may be (413, as through the API) or blank (400); null when the
     * text may be read.
     */
    private String refused(long size, String contents, HttpServletResponse response, Model model) {
        if (size > maxBytes) {
            response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
            return page(
                    null,
                    "",
                    null,
                    List.of("the file is " + megabytes(size) + "; a jobs file may be at most " + megabytes(maxBytes)
                            + " (almanac.api.max-body-bytes, as through the API): split it into several"),
                    model);
        }
        if (contents.isBlank()) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            return page(null, "", null, List.of("choose a jobs file to upload, or paste one"), model);
        }
        return null;
    }

    private String page(JobTransfer.ImportResult plan, String text, String notice, List<String> problems, Model model) {
        model.addAttribute("plan", plan == null ? null : rows(plan));
        model.addAttribute("summary", plan == null ? null : plan.summary());
        model.addAttribute("notInFile", plan == null ? List.of() : plan.notInFile());
        model.addAttribute(
                "applicable",
                plan != null
                        && plan.summary().getOrDefault("invalid", 0L) == 0
                        && plan.summary().getOrDefault("create", 0L)
                                        + plan.summary().getOrDefault("update", 0L)
                                > 0);
        model.addAttribute("text", text);
        // the versions of the jobs as the plan saw them: the apply holds to them
        model.addAttribute("seen", plan == null ? null : json.writeValueAsString(transfer.versionsSeen(plan)));
        model.addAttribute("notice", notice);
        model.addAttribute("problems", problems);
        model.addAttribute("maxBytes", maxBytes);
        model.addAttribute("maxSize", megabytes(maxBytes));
        return "transfer/page";
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    /** The file's calendars (named as such), then its jobs. */
    private List<PlanRow> rows(JobTransfer.ImportResult result) {
        return java.util.stream.Stream.concat(
                        result.calendars().stream().map(outcome -> row("calendar ", outcome)),
                        result.jobs().stream().map(outcome -> row("", outcome)))
                .toList();
    }

    private PlanRow row(String kind, JobsFile.Outcome outcome) {
        return new PlanRow(
                kind + (outcome.name() == null ? "(no name)" : outcome.label()),
                outcome.action(),
                outcome.changes().stream()
                        .map(change -> new ChangeLine(
                                change.field(),
                                text(change.before()),
                                text(change.after()) + (change.note() == null ? "" : " (" + change.note() + ")")))
                        .toList(),
                messages(outcome.errors()),
                messages(outcome.warnings()));
    }

    private String text(Object value) {
        if (value == null) {
            return "—";
        }
        return value instanceof String string ? string : json.writeValueAsString(value);
    }

    private static List<String> messages(List<FieldError> errors) {
        return errors.stream()
                .map(error -> error.field() == null || error.field().isEmpty()
                        ? error.message()
                        : error.field() + ": " + error.message())
                .toList();
    }
}
