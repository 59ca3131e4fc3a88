package dev.almanac.job;

import dev.almanac.audit.AuditTrail;
import dev.almanac.audit.Changes;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.Sealed;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.ScheduleText;
import dev.almanac.schedule.ScheduledRun;
import dev.almanac.schedule.Schedules;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.Permissions;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import dev.almanac.web.LocalPaths;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job pages of the admin UI: the list with its filters and actions, the five-step create and edit wizard, a
 * job's definition, its versions with a diff and rollback. Built on {@link JobService}, like the REST API.
 */
@AdminPage
@RequestMapping("/jobs")
class JobPages {

    static final int PAGE_SIZE = 25;
    static final List<Integer> PAGE_SIZES = List.of(25, 50, 100);
    /** The list's sortable columns, by the API name of their ascending order. */
    static final List<String> SORTABLE = List.of("name", "next_run_at", "last_run_at", "last_status");

    static final int PREVIEW_RUNS = 5;
    static final long FEW_RUNS_LEFT = 3;
    static final List<String> LAST_STATUSES =
            List.of("succeeded", "failed", "timed_out", "cancelled", "skipped", "running", "queued");
    private static final List<String> ZONES = new TreeSet<>(ZoneId.getAvailableZoneIds())
            .stream()
                    .filter(z -> z.contains("/") && !z.startsWith("Etc/") && !z.startsWith("SystemV/"))
                    .toList();
    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm:ss (xxx)", Locale.ENGLISH);
    private static final String MASK = Sealed.MASK;

    private final JobService jobs;
    private final JobCommands commands;
    private final JobDrafts drafts;
    private final ParameterForms parameterForms;
    private final TemplateRegistry templates;
    private final JsonMapper json;
    private final Clock clock;
    private final Limits limits;
    private final Permissions permissions;

    JobPages(
            Limits limits,
            Permissions permissions,
            JobService jobs,
            JobCommands commands,
            JobDrafts drafts,
            TemplateRegistry templates,
            ParameterForms parameterForms,
            JsonMapper json,
            Clock clock) {
        this.limits = limits;
        this.permissions = permissions;
        this.parameterForms = parameterForms;
        this.jobs = jobs;
        this.commands = commands;
        this.drafts = drafts;
        this.templates = templates;
        this.json = json;
        this.clock = clock;
    }

    /** A row of the job list. */
    public record JobRow(Job job, String schedule, TemplateDescriptor template) {}

    /** One upcoming run as a page shows it. */
    public record PreviewRun(String local, java.time.Instant at, String note) {}

    /** A schedule in words with its next runs, or what is wrong with it. */
    public record Preview(String expression, String words, List<PreviewRun> runs, List<String> errors) {}

    /** A parameter as the definition shows it, secrets masked. */
    public record ParameterLine(String name, String value) {}

    /** One changed field between two versions. */
    public record DiffLine(String field, String before, String after) {}

    @GetMapping
    String list(
            @RequestParam(name = "template_type", required = false) String templateType,
            @RequestParam(required = false) String enabled,
            @RequestParam(name = "last_status", required = false) String lastStatus,
            @RequestParam(required = false) String tag,
            @RequestParam(required = false) String search,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false, defaultValue = "1") String page,
            @RequestParam(required = false) String size,
            HtmxRequest htmx,
            Model model) {
        int wanted = size == null ? PAGE_SIZE : parseInt(size, PAGE_SIZE);
        int pageSize = PAGE_SIZES.contains(wanted) ? wanted : PAGE_SIZE;
        JobQuery query = new JobQuery(
                blankToNull(templateType),
                "true".equals(enabled) ? Boolean.TRUE : "false".equals(enabled) ? Boolean.FALSE : null,
                blankToNull(search),
                tag == null || tag.isBlank() ? null : tag.strip().toLowerCase(Locale.ROOT),
                lastStatus != null && LAST_STATUSES.contains(lastStatus) ? lastStatus : null,
                JobQuery.Sort.fromJson(sort == null ? "" : sort).orElse(JobQuery.Sort.NAME),
                Math.max(1, parseInt(page, 1)),
                pageSize);
        JobPage result = jobs.list(query);
        model.addAttribute(
                "rows",
                result.jobs().stream()
                        .map(job -> new JobRow(
                                job,
                                ScheduleText.describe(job.definition().schedule()),
                                descriptor(job.definition().templateType())))
                        .toList());
        model.addAttribute("result", result);
        model.addAttribute("query", query);
        model.addAttribute(
                "filtered",
                query.templateType() != null
                        || query.enabled() != null
                        || query.search() != null
                        || query.tag() != null
                        || query.lastStatus() != null);
        model.addAttribute(
                "templates",
                templates.all().stream().map(JobTemplate::descriptor).toList());
        model.addAttribute("statuses", LAST_STATUSES);
        model.addAttribute("filters", filterParameters(query));
        model.addAttribute("sizes", PAGE_SIZES);
        Map<String, String> sortLinks = new LinkedHashMap<>();
        for (String column : SORTABLE) {
            JobQuery.Sort ascending = JobQuery.Sort.fromJson(column).orElseThrow();
            boolean current = query.sort() == ascending || query.sort() == ascending.reversed();
            sortLinks.put(column, listUrl(query, current ? query.sort().reversed() : ascending, 1));
        }
        model.addAttribute("sortLinks", sortLinks);
        model.addAttribute("sorted", query.sort().json().replace("-", ""));
        model.addAttribute("sortOrder", query.sort().descending() ? "descending" : "ascending");
        model.addAttribute("previousPage", result.page() > 1 ? listUrl(query, query.sort(), result.page() - 1) : null);
        model.addAttribute(
                "nextPage", result.page() < result.pages() ? listUrl(query, query.sort(), result.page() + 1) : null);
        return htmx.isHtmxRequest() ? "jobs/list :: results" : "jobs/list";
    }

    @GetMapping("/new")
    String create(@RequestParam(required = false) String template, Model model) {
        JobForm form = JobForm.blank();
        if (template != null && templates.find(template).isPresent()) {
            form.set("template_type", template);
            if (!permissions.mayActOn(template)) {
                return wizard(form, JobForm.TEMPLATE, null, locked(template), List.of(), model);
            }
            return wizard(form, JobForm.PARAMETERS, null, Map.of(), List.of(), model);
        }
        return wizard(form, JobForm.TEMPLATE, null, Map.of(), List.of(), model);
    }

    @GetMapping("/{id}/edit")
    String edit(@PathVariable String id, Model model) {
        Job job = jobs.get(jobId(id));
        permissions.requireMayActOn(
                job.definition().templateType(), "update", AuditTrail.Target.of("job", job.id(), job.name()));
        JobForm form =
                JobForm.of(job.definition(), parameterForm(job.definition().templateType()));
        form.set("job_id", job.id().toString());
        form.set("version", String.valueOf(job.version()));
        return wizard(form, JobForm.PARAMETERS, job, Map.of(), List.of(), model);
    }

    @GetMapping("/{id}/clone")
    String copy(@PathVariable String id, Model model) {
        Job job = jobs.get(jobId(id));
        permissions.requireMayActOn(
                job.definition().templateType(), "create", AuditTrail.Target.of("job", job.id(), job.name()));
        JobForm form =
                JobForm.of(job.definition(), parameterForm(job.definition().templateType()));
        String name = job.name() + " copy";
        form.set("name", name.length() > 100 ? name.substring(0, 100) : name);
        // a copy is a new job with no secrets stored: its secrets are typed again, not carried as masks
        ParameterForm parameters = parameterForm(job.definition().templateType());
        if (parameters != null) {
            form.values().keySet().removeIf(parameters::isSecret);
        }
        // nor does it carry the original's webhook URLs, secrets too: e-mail addresses stay, URLs are typed again
        for (String field : List.of("notify_success", "notify_failure", "notify_retry")) {
            String recipients = form.get(field);
            if (recipients != null) {
                form.set(
                        field,
                        recipients
                                .lines()
                                .filter(r -> !Notifications.isUrl(r.strip()))
                                .collect(Collectors.joining("\n")));
            }
        }
        // like the API's clone: a copy never runs on the original's schedule until its owner says so
        form.set("enabled", "false");
        form.set(JobForm.CLONED_FROM, job.name());
        return wizard(form, JobForm.PARAMETERS, null, Map.of(), List.of(), model);
    }

    /** Every button of the wizard posts here with the whole form; {@code _action} says which one. */
    @PostMapping("/wizard")
    String step(
            @RequestParam MultiValueMap<String, String> body,
            @RequestHeader(name = "HX-Trigger-Name", required = false) String htmxTrigger,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        if (request.getAttribute(JobDrafts.REFUSED) instanceof String refused) {
            // the review step's dry run, posted without htmx and refused (RunPages): shown over the same input
            body = new LinkedMultiValueMap<>(body);
            body.remove("_action");
            body.set("step", String.valueOf(JobForm.REVIEW));
            wizard(JobForm.of(body), JobForm.REVIEW, editedJob(JobForm.of(body)), Map.of(), List.of(refused), model);
            return "jobs/wizard";
        }
        JobForm form = JobForm.of(body);
        Job editing = editedJob(form);
        int step = Math.min(JobForm.REVIEW, Math.max(JobForm.TEMPLATE, parseInt(form.get("step"), 1)));
        String action = form.get("_action").isEmpty() ? "next" : form.get("_action");
        form.remove("_action");
        form.remove("step");

        if (action.startsWith("template:")) {
            String type = action.substring("template:".length());
            if (!type.equals(form.get("template_type"))) {
                form.replaceParameters(Map.of());
            }
            form.set("template_type", type);
            if (templates.find(type).isPresent() && !permissions.mayActOn(type)) {
                return wizard(form, JobForm.TEMPLATE, editing, locked(type), List.of(), model);
            }
            return validateAndGo(form, JobForm.TEMPLATE, JobForm.PARAMETERS, editing, model);
        }
        if (htmxTrigger != null && htmxTrigger.startsWith(ParameterForm.PREFIX + ".") && action.equals("next")) {
            // a target or table chosen: the parameter fields again, with that target's tables and columns offered
            return wizard(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("add:")) {
            form.addItem(action.substring("add:".length()));
            return wizard(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("remove:")) {
            form.removeItem(action.substring("remove:".length()));
            return wizard(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.equals("example")) {
            ParameterForm parameters = parameterForm(form.get("template_type"));
            templates
                    .exampleParameters(form.get("template_type"))
                    .ifPresent(example -> form.replaceParameters(parameters.toForm(example)));
            return wizard(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.equals("back")) {
            return wizard(form, Math.max(JobForm.TEMPLATE, step - 1), editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("goto:")) {
            int target = Math.min(JobForm.REVIEW, Math.max(JobForm.TEMPLATE, parseInt(action.substring(5), step)));
            if (target <= step) {
                return wizard(form, target, editing, Map.of(), List.of(), model);
            }
            return validateAndGo(form, target - 1, target, editing, model);
        }
        if (action.equals("save")) {
            try {
                return save(form, editing, response, model, redirect);
            } catch (ForbiddenException refused) {
                // a role or the job quota: said on the review step, the reader's input kept
                response.setStatus(HttpStatus.FORBIDDEN.value());
                return wizard(form, JobForm.REVIEW, editing, Map.of(), List.of(refused.getMessage()), model);
            }
        }
        return validateAndGo(form, step, Math.min(JobForm.REVIEW, step + 1), editing, model);
    }

    /** The schedule step's live preview: the expression, in words, and the next runs with DST notes. */
    @PostMapping("/wizard/preview")
    String preview(@RequestParam MultiValueMap<String, String> body, Model model) {
        model.addAttribute("preview", preview(JobForm.of(body)));
        return "jobs/wizard :: preview";
    }

    @GetMapping("/{id}")
    String detail(@PathVariable String id, Model model) {
        Job job = jobs.get(jobId(id));
        JobDefinition definition = job.definition();
        model.addAttribute("job", job);
        model.addAttribute("d", definition);
        model.addAttribute("template", descriptor(definition.templateType()));
        model.addAttribute("schedule", ScheduleText.describe(definition.schedule()));
        model.addAttribute("runs", definition.enabled() ? runs(definition.schedule()) : List.of());
        model.addAttribute("parameters", parameterLines(definition));
        model.addAttribute("dependsOn", names(definition.dependsOn()));
        model.addAttribute("versionCount", jobs.versions(job.id()).size());
        // said only when few are left, so the reader is not surprised by the limit
        limits.manualRunsLeft(CurrentActor.name())
                .ifPresent(left -> model.addAttribute("runsLeft", left <= FEW_RUNS_LEFT ? left : null));
        return "jobs/detail";
    }

    @PostMapping("/{id}/enable")
    String enable(@PathVariable String id, @RequestParam(required = false) String back, RedirectAttributes redirect) {
        return setEnabled(id, true, back, redirect);
    }

    @PostMapping("/{id}/disable")
    String disable(@PathVariable String id, @RequestParam(required = false) String back, RedirectAttributes redirect) {
        return setEnabled(id, false, back, redirect);
    }

    private String setEnabled(String id, boolean enabled, String back, RedirectAttributes redirect) {
        Job job = commands.setEnabled(jobId(id), enabled).job();
        flash(
                redirect,
                "Job '" + job.name() + "' "
                        + (enabled
                                ? "enabled: it runs on its schedule"
                                : "disabled: it no longer" + " runs on its schedule"));
        return "redirect:" + LocalPaths.orElse(back, "/jobs/" + job.id());
    }

    @GetMapping("/{id}/delete")
    String confirmDelete(@PathVariable String id, HtmxRequest htmx, Model model) {
        Job job = jobs.get(jobId(id));
        model.addAttribute("job", job);
        return htmx.isHtmxRequest() ? "jobs/delete :: dialog" : "jobs/delete";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable String id, Model model, RedirectAttributes redirect) {
        JobId jobId = jobId(id);
        try {
            Job deleted = commands.delete(jobId);
            flash(redirect, "Job '" + deleted.name() + "' deleted. Its execution history is kept.");
            return "redirect:/jobs";
        } catch (ConflictException refused) {
            model.addAttribute("job", jobs.get(jobId));
            model.addAttribute("problem", refused.getMessage());
            return "jobs/delete";
        }
    }

    @GetMapping("/{id}/versions")
    String versions(@PathVariable String id, @RequestParam(required = false) Long show, Model model) {
        JobId jobId = jobId(id);
        List<JobVersion> versions = jobs.versions(jobId);
        Optional<Job> job = jobs.find(jobId);
        JobVersion shown = versions.stream()
                .filter(v -> show == null || v.version() == show)
                .findFirst()
                .orElseThrow(() -> new NotFoundException("job " + id + " has no version " + show));
        JobVersion previous = versions.stream()
                .filter(v -> v.version() < shown.version())
                .findFirst()
                .orElse(null);
        model.addAttribute("jobId", jobId);
        model.addAttribute("job", job.orElse(null));
        model.addAttribute(
                "name",
                job.map(Job::name).orElse(String.valueOf(shown.definition().get("name"))));
        model.addAttribute("versions", versions);
        model.addAttribute("shown", shown);
        model.addAttribute("previous", previous);
        model.addAttribute("diff", diff(previous == null ? Map.of() : previous.definition(), shown.definition()));
        model.addAttribute(
                "canRollback",
                job.isPresent()
                        && shown.version() != job.get().version()
                        && !shown.change().equals("deleted"));
        return "jobs/versions";
    }

    @PostMapping("/{id}/rollback")
    String rollback(
            @PathVariable String id,
            @RequestParam long version,
            @RequestParam(name = "current_version") long currentVersion,
            RedirectAttributes redirect) {
        JobId jobId = jobId(id);
        try {
            JobService.Updated updated = commands.rollback(jobId, version, currentVersion);
            flash(
                    redirect,
                    updated.changed()
                            ? "Rolled back to version " + version + "; saved as version "
                                    + updated.job().version()
                            : "Version " + version + " is what the job already is; nothing changed");
            return "redirect:/jobs/" + jobId;
        } catch (InvalidInputException | ConflictException refused) {
            String reason = refused instanceof InvalidInputException invalid
                    ? invalid.errors().stream()
                            .map(e -> e.field() + ": " + e.message())
                            .reduce((a, b) -> a + "; " + b)
                            .orElse("")
                    : refused.getMessage();
            flash(redirect, "Could not roll back to version " + version + ": " + reason, "error");
            return "redirect:/jobs/" + jobId + "/versions?show=" + version;
        }
    }

    private String validateAndGo(JobForm form, int validateUpTo, int target, Job editing, Model model) {
        Problems problems = problems(form, editing);
        Map<String, String> shown = new LinkedHashMap<>();
        int firstBad = Integer.MAX_VALUE;
        for (Map.Entry<String, Problem> problem : problems.byName().entrySet()) {
            if (problem.getValue().step() <= validateUpTo) {
                shown.put(problem.getKey(), problem.getValue().message());
                firstBad = Math.min(firstBad, problem.getValue().step());
            }
        }
        List<String> general = validateUpTo >= JobForm.REVIEW ? problems.general() : List.of();
        if (firstBad != Integer.MAX_VALUE) {
            return wizard(form, firstBad, editing, shown, general, model);
        }
        return wizard(form, target, editing, Map.of(), general, model);
    }

    private String save(
            JobForm form, Job editing, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        Problems problems = problems(form, editing);
        if (!problems.byName().isEmpty()) {
            return validateAndGo(form, JobForm.REVIEW, JobForm.REVIEW, editing, model);
        }
        JobRequest request = drafts.withStoredSecrets(form, editing)
                .toRequest(parameterForm(form.get("template_type")))
                .request();
        try {
            Job saved;
            if (editing == null) {
                saved = commands.create(request);
                flash(
                        redirect,
                        form.get(JobForm.CLONED_FROM).isEmpty()
                                        || saved.definition().enabled()
                                ? "Job '" + saved.name() + "' created" + nextRunText(saved)
                                : "Job '" + saved.name() + "' created. " + JobForm.CLONE_DISABLED);
            } else {
                ObjectNode changes = json.valueToTree(request);
                if (!changes.has("description")) {
                    changes.putNull("description");
                }
                changes.put("version", parseLong(form.get("version"), editing.version()));
                JobService.Updated updated = commands.update(editing.id(), changes);
                saved = updated.job();
                flash(
                        redirect,
                        updated.changed()
                                ? "Job '" + saved.name() + "' saved as version " + saved.version()
                                : "Nothing changed in job '" + saved.name() + "'");
            }
            return "redirect:/jobs/" + saved.id();
        } catch (InvalidInputException invalid) {
            return validateAndGo(form, JobForm.REVIEW, JobForm.REVIEW, editing, model);
        } catch (ConflictException conflict) {
            response.setStatus(HttpStatus.CONFLICT.value());
            if ("name".equals(conflict.field())) {
                return wizard(
                        form, JobForm.PARAMETERS, editing, Map.of("name", conflict.getMessage()), List.of(), model);
            }
            return wizard(form, JobForm.REVIEW, editing, Map.of(), List.of(conflict.getMessage()), model);
        }
    }

    private String nextRunText(Job job) {
        return job.nextRunAt() == null
                ? "; it is disabled and does not run on its schedule"
                : "; next run at "
                        + job.nextRunAt()
                                .atZone(job.definition().schedule().zone())
                                .format(LOCAL);
    }

    /** What the wizard shows about a problem: where, and on which step. */
    public record Problem(String message, int step) {}

    /** Problems by form name, and those that belong to no field. */
    public record Problems(Map<String, Problem> byName, List<String> general) {}

    private Problems problems(JobForm shown, Job editing) {
        JobForm form = drafts.withStoredSecrets(shown, editing);
        ParameterForm parameterForm = parameterForm(form.get("template_type"));
        JobForm.Built built = form.toRequest(parameterForm);
        Map<String, Problem> byName = new LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        for (FieldError error : built.errors()) {
            add(byName, error.field(), error.message(), stepOfFormName(error.field()));
        }
        Set<String> unread = new HashSet<>(byName.keySet());
        boolean scheduleUnread = built.errors().stream().anyMatch(e -> JobForm.stepOf(e.field()) == JobForm.SCHEDULE);
        for (FieldError error : jobs.problems(built.request(), editing == null ? null : editing.id())) {
            String name = form.formNameOf(error.field());
            // a field the form could not read is left out of the request; the service's "is required" for it is noise
            if (unread.contains(name) || scheduleUnread && "schedule.expression".equals(error.field())) {
                continue;
            }
            if (name.isEmpty()) {
                general.add(error.message());
            } else {
                add(byName, name, error.message(), JobForm.stepOfError(error.field()));
            }
        }
        return new Problems(byName, general);
    }

    private static void add(Map<String, Problem> byName, String name, String message, int step) {
        byName.merge(
                name, new Problem(message, step), (a, b) -> new Problem(a.message() + "; " + b.message(), a.step()));
    }

    private static int stepOfFormName(String name) {
        int step = JobForm.stepOf(name);
        return step == 0 ? JobForm.OPTIONS : step;
    }

    private String wizard(
            JobForm form, int step, Job editing, Map<String, String> errors, List<String> general, Model model) {
        String type = form.get("template_type");
        Optional<JobTemplate> template = templates.find(type);
        if (step > JobForm.TEMPLATE && template.isEmpty()) {
            step = JobForm.TEMPLATE;
            if (!type.isEmpty()) {
                errors = Map.of("template_type", "the template '" + type + "' is not installed; choose another");
            }
        }
        model.addAttribute("form", form);
        model.addAttribute("step", step);
        model.addAttribute("editing", editing);
        model.addAttribute("errors", errors);
        model.addAttribute("general", general);
        model.addAttribute("hidden", form.hiddenExcept(step));
        model.addAttribute("template", template.map(JobTemplate::descriptor).orElse(null));
        model.addAttribute("stepNames", List.of("Template", "Name and parameters", "Schedule", "Options", "Review"));
        switch (step) {
            case JobForm.TEMPLATE ->
                model.addAttribute(
                        "templates",
                        templates.all().stream().map(JobTemplate::descriptor).toList());
            case JobForm.PARAMETERS -> {
                ParameterForm parameters =
                        parameterForms.of(type, form.values()).orElseThrow();
                model.addAttribute("fields", parameters.fields(form.values(), errors, editing != null));
                model.addAttribute("refreshUrl", "/jobs/wizard");
                model.addAttribute(
                        "hasExample",
                        templates.exampleParameters(type).map(e -> !e.isEmpty()).orElse(false));
            }
            case JobForm.SCHEDULE -> {
                model.addAttribute("zones", ZONES);
                model.addAttribute("days", JobForm.DAYS);
                model.addAttribute("preview", preview(form));
            }
            case JobForm.OPTIONS -> model.addAttribute("otherJobs", otherJobs(editing, form));
            default -> {
                JobRequest request = form.toRequest(parameterForm(type)).request();
                model.addAttribute("request", request);
                model.addAttribute("preview", preview(form));
                model.addAttribute("parameters", parameterLines(type, request.parameters()));
                model.addAttribute(
                        "dependsOn",
                        names(request.dependsOn().stream()
                                .map(JobId::parse)
                                .flatMap(Optional::stream)
                                .toList()));
            }
        }
        return "jobs/wizard";
    }

    private Preview preview(JobForm form) {
        List<FieldError> errors = new ArrayList<>();
        ScheduleSpec spec = form.scheduleSpec(errors);
        if (!errors.isEmpty()) {
            return new Preview(
                    null,
                    null,
                    List.of(),
                    errors.stream().map(FieldError::message).toList());
        }
        try {
            Schedule schedule = Schedules.parse(spec);
            return new Preview(spec.expression(), ScheduleText.describe(schedule), runs(schedule), List.of());
        } catch (InvalidInputException invalid) {
            return new Preview(
                    spec.expression(),
                    null,
                    List.of(),
                    invalid.errors().stream()
                            .map(e -> e.field() + ": " + e.message())
                            .toList());
        }
    }

    /** Step 1's message for a template the reader may read but not start a job from. */
    private static Map<String, String> locked(String type) {
        return Map.of(
                "template_type",
                "'" + type + "' " + Permissions.NEEDS_SUPER_ADMIN.replace("this template is", "it is")
                        + "; you can read it on the Templates page");
    }

    private List<PreviewRun> runs(Schedule schedule) {
        List<ScheduledRun> runs = schedule.preview(clock.instant(), PREVIEW_RUNS);
        return runs.stream()
                .map(run -> new PreviewRun(run.local().format(LOCAL), run.at(), run.note()))
                .toList();
    }

    private List<Job> otherJobs(Job editing, JobForm form) {
        List<Job> list = new ArrayList<>(
                jobs.list(JobQuery.firstPage(JobQuery.MAX_LIMIT)).jobs());
        for (String selected : form.all("depends_on")) {
            JobId.parse(selected)
                    .filter(id -> list.stream().noneMatch(j -> j.id().equals(id)))
                    .flatMap(jobs::find)
                    .ifPresent(list::add);
        }
        if (editing != null) {
            list.removeIf(j -> j.id().equals(editing.id()));
        }
        return list;
    }

    private Map<String, String> names(List<JobId> ids) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JobId id : ids) {
            names.put(id.toString(), jobs.find(id).map(Job::name).orElse(id + " (deleted)"));
        }
        return names;
    }

    private Job editedJob(JobForm form) {
        if (form.get("job_id").isEmpty()) {
            return null;
        }
        return jobs.get(jobId(form.get("job_id")));
    }

    /** The template's form, with the configured targets offered where a parameter names one. */
    private ParameterForm parameterForm(String type) {
        return parameterForms.of(type, Map.of()).orElse(null);
    }

    private TemplateDescriptor descriptor(String type) {
        return templates.find(type).map(JobTemplate::descriptor).orElse(null);
    }

    private List<ParameterLine> parameterLines(JobDefinition definition) {
        return parameterLines(definition.templateType(), definition.parameters());
    }

    private List<ParameterLine> parameterLines(String type, Map<String, Object> parameters) {
        ParameterForm form = parameterForm(type);
        Map<String, Object> flat = new TreeMap<>();
        flatten("", Sealed.maskedMap(parameters), flat);
        List<ParameterLine> lines = new ArrayList<>();
        flat.forEach((name, value) -> lines.add(new ParameterLine(
                name,
                form != null && form.isSecret(ParameterForm.PREFIX + "." + name) ? MASK : String.valueOf(value))));
        return lines;
    }

    /** The list with the same filters and page size, in another order or on another page. */
    private static String listUrl(JobQuery query, JobQuery.Sort sort, int page) {
        UriComponentsBuilder url = UriComponentsBuilder.fromPath("/jobs");
        filterParameters(query).forEach((name, value) -> {
            if (!name.equals("sort")) {
                url.queryParam(name, value);
            }
        });
        if (sort != JobQuery.Sort.NAME) {
            url.queryParam("sort", sort.json());
        }
        if (query.limit() != PAGE_SIZE) {
            url.queryParam("size", query.limit());
        }
        if (page > 1) {
            url.queryParam("page", page);
        }
        return url.encode().build().toUriString();
    }

    private static Map<String, String> filterParameters(JobQuery query) {
        Map<String, String> filters = new LinkedHashMap<>();
        if (query.templateType() != null) {
            filters.put("template_type", query.templateType());
        }
        if (query.enabled() != null) {
            filters.put("enabled", query.enabled().toString());
        }
        if (query.lastStatus() != null) {
            filters.put("last_status", query.lastStatus());
        }
        if (query.tag() != null) {
            filters.put("tag", query.tag());
        }
        if (query.search() != null) {
            filters.put("search", query.search());
        }
        if (query.sort() != JobQuery.Sort.NAME) {
            filters.put("sort", query.sort().json());
        }
        return filters;
    }

    /** The audit trail's diff, so the page and the trail agree on what changed and both mask sealed values. */
    @SuppressWarnings("unchecked")
    private List<DiffLine> diff(Map<String, Object> before, Map<String, Object> after) {
        List<DiffLine> lines = new ArrayList<>();
        Changes.between(before, after).forEach((field, change) -> {
            Map<String, Object> sides = (Map<String, Object>) change;
            lines.add(new DiffLine(field, shown(sides.get("before")), shown(sides.get("after"))));
        });
        return lines;
    }

    private String shown(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof Map<?, ?> || value instanceof List<?>
                ? json.writeValueAsString(value)
                : String.valueOf(value);
    }

    private static void flatten(String prefix, Object value, Map<String, Object> into) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty() && !prefix.isEmpty()) {
                into.put(prefix, "{}");
            }
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, into));
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                into.put(prefix, "[]");
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), into);
            }
        } else if (value != null) {
            into.put(prefix, value);
        }
    }

    static void flash(RedirectAttributes redirect, String message) {
        flash(redirect, message, null);
    }

    static void flash(RedirectAttributes redirect, String message, String kind) {
        redirect.addFlashAttribute("flash", message);
        if (kind != null) {
            redirect.addFlashAttribute("flashKind", kind);
        }
    }

    private static JobId jobId(String text) {
        return JobId.parse(text).orElseThrow(() -> new NotFoundException("no job with id " + text));
    }

    private static int parseInt(String text, int fallback) {
        try {
            return Integer.parseInt(text.strip());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static long parseLong(String text, long fallback) {
        try {
            return Long.parseLong(text.strip());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
