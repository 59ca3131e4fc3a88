package dev.almanac.job.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.Sealed;
import dev.almanac.job.Job;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobQuery;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.job.ParameterForms;
import dev.almanac.job.ParameterLines;
import dev.almanac.job.Trigger;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateRegistry;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/**
 * The wizard's steps as pages: what each step shows, and every problem of the steps up to one, found in one round
 * (the form's own and the job service's) and shown on the first step that has any.
 */
@Component
class JobWizard {

    static final String VIEW = "jobs/wizard";
    private static final List<String> STEP_NAMES =
            List.of("Template", "Name and parameters", "Schedule", "Options", "Review");
    private static final List<String> ZONES = new TreeSet<>(ZoneId.getAvailableZoneIds())
            .stream()
                    .filter(z -> z.contains("/") && !z.startsWith("Etc/") && !z.startsWith("SystemV/"))
                    .toList();

    /** What the wizard shows about a problem: where, and on which step. */
    public record Problem(String message, int step) {}

    /** Problems by form name, and those that belong to no field. */
    public record Problems(Map<String, Problem> byName, List<String> general) {}

    private final JobService jobs;
    private final JobDrafts drafts;
    private final ParameterForms parameterForms;
    private final TemplateRegistry templates;
    private final DefinitionLines lines;
    private final SchedulePreviews previews;
    private final CurrentNamespace namespaces;
    private final NamespaceAccess access;

    JobWizard(
            JobService jobs,
            JobDrafts drafts,
            ParameterForms parameterForms,
            TemplateRegistry templates,
            DefinitionLines lines,
            SchedulePreviews previews,
            CurrentNamespace namespaces,
            NamespaceAccess access) {
        this.jobs = jobs;
        this.drafts = drafts;
        this.parameterForms = parameterForms;
        this.templates = templates;
        this.lines = lines;
        this.previews = previews;
        this.namespaces = namespaces;
        this.access = access;
    }

    /** Step {@code step} of the wizard over {@code form}, with these errors next to their fields. */
    String show(JobForm form, int step, Job editing, Map<String, String> errors, List<String> general, Model model) {
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
        model.addAttribute("stepNames", STEP_NAMES);
        switch (step) {
            case JobForm.TEMPLATE -> {
                model.addAttribute(
                        "templates",
                        templates.all().stream().map(JobTemplate::descriptor).toList());
                model.addAttribute("namespaces", creatableNamespaces(form.get("namespace")));
            }
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
                model.addAttribute("preview", previews.of(form));
            }
            case JobForm.OPTIONS -> {
                model.addAttribute("otherJobs", otherJobs(editing, form));
                if (editing != null) {
                    model.addAttribute(
                            "hiddenDependencies", hidden(editing.definition().dependsOn()));
                    model.addAttribute(
                            "hiddenTriggers",
                            hidden(editing.definition().triggers().stream()
                                    .map(Trigger::job)
                                    .distinct()
                                    .toList()));
                }
            }
            default -> {
                JobRequest request = form.toRequest(parameterForm(type)).request();
                model.addAttribute("request", request);
                model.addAttribute("preview", previews.of(form));
                model.addAttribute("parameters", reviewLines(form, type, request, editing));
                model.addAttribute(
                        "triggerNames",
                        lines.dependencies(request.triggers().stream()
                                .map(t -> t.job() == null ? Optional.<JobId>empty() : JobId.parse(t.job()))
                                .flatMap(Optional::stream)
                                .toList()));
                model.addAttribute(
                        "dependsOn",
                        lines.dependencies(request.dependsOn().stream()
                                .map(JobId::parse)
                                .flatMap(Optional::stream)
                                .toList()));
            }
        }
        return VIEW;
    }

    /**
     * The parameters the review lists, secrets masked: while editing, with the stored secrets the form leaves blank
     * to keep, marked unchanged, as the job page lists them; they are never put in the page, only their mask.
     */
    private List<ParameterLines.ParameterLine> reviewLines(JobForm form, String type, JobRequest request, Job editing) {
        List<ParameterLines.ParameterLine> shown = lines.parameters(type, request.parameters());
        if (editing == null || !editing.definition().templateType().equals(type)) {
            return shown;
        }
        JobRequest kept = drafts.withStoredSecrets(form, editing)
                .toRequest(parameterForm(type))
                .request();
        // what the form left out and the stored job keeps is a kept secret: listed by its name only, never by a value
        // (whether the template's schema marks it secret or not)
        Map<String, ParameterLines.ParameterLine> byName = new TreeMap<>();
        shown.forEach(line -> byName.put(line.name(), line));
        for (ParameterLines.ParameterLine line : lines.parameters(type, kept.parameters())) {
            byName.putIfAbsent(
                    line.name(), new ParameterLines.ParameterLine(line.name(), Sealed.MASK + " (unchanged)"));
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * The namespaces the reader may create jobs in, which the wizard offers first; {@code current} (a job's own, while
     * it is edited) is kept in the list.
     */
    List<String> creatableNamespaces(String current) {
        return namespaces.options().stream()
                .map(Namespace::name)
                .filter(name -> name.equals(current) || access.may(name, NamespaceAccess.Action.EDIT))
                .toList();
    }

    /**
     * The namespace a new job's wizard starts in: the one picked in the header when the reader may create jobs there,
     * else the first they may create jobs in.
     */
    String startingNamespace() {
        String picked = namespaces.selected();
        List<String> creatable = creatableNamespaces(null);
        if (picked != null && creatable.contains(picked)) {
            return picked;
        }
        return creatable.contains(JobDefinition.DEFAULT_NAMESPACE) || creatable.isEmpty()
                ? JobDefinition.DEFAULT_NAMESPACE
                : creatable.get(0);
    }

    /** Step 1 again, saying why ({@code whyNot}) the reader may read {@code type} but not start a job from it. */
    String locked(JobForm form, String type, String whyNot, Job editing, Model model) {
        String reason = "'" + type + "': " + whyNot + "; you can read it on the Templates page";
        return show(form, JobForm.TEMPLATE, editing, Map.of("template_type", reason), List.of(), model);
    }

    /**
     * Checks the steps up to {@code validateUpTo}: with problems, the first step that has any, every problem of those
     * steps marked at once; without, step {@code target}.
     */
    String validateAndGo(JobForm form, int validateUpTo, int target, Job editing, Model model) {
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
            return show(form, firstBad, editing, shown, general, model);
        }
        return show(form, target, editing, Map.of(), general, model);
    }

    Problems problems(JobForm shown, Job editing) {
        JobForm form = drafts.withStoredSecrets(shown, editing);
        ParameterForm parameters = parameterForm(form.get("template_type"));
        JobForm.Built built = form.toRequest(parameters);
        Map<String, Problem> byName = new LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        for (FieldError error : built.errors()) {
            int step = JobForm.stepOf(error.field());
            add(byName, error.field(), error.message(), step == 0 ? JobForm.OPTIONS : step);
        }
        Set<String> unread = new HashSet<>(byName.keySet());
        boolean scheduleUnread = built.errors().stream().anyMatch(e -> JobForm.stepOf(e.field()) == JobForm.SCHEDULE);
        for (FieldError error : jobs.problems(built.request(), editing == null ? null : editing.id())) {
            String name = form.formNameOf(error.field(), parameters, error.message());
            // a field the form could not read is left out of the request; the service's "is required" for it is noise
            if (unread.contains(name) || scheduleUnread && "schedule.expression".equals(error.field())) {
                continue;
            }
            if (name.isEmpty()) {
                general.add(error.message());
            } else {
                // a list of recipients is one text area: each error says which of its recipients it is about
                String recipient = form.recipientOf(error.field());
                String message = recipient == null ? error.message() : "'" + recipient + "': " + error.message();
                add(byName, name, message, JobForm.stepOfError(error.field()));
            }
        }
        return new Problems(byName, general);
    }

    /** The template's form, with the configured targets offered where a parameter names one. */
    ParameterForm parameterForm(String type) {
        return parameterForms.of(type, Map.of()).orElse(null);
    }

    private static void add(Map<String, Problem> byName, String name, String message, int step) {
        byName.merge(
                name, new Problem(message, step), (a, b) -> new Problem(a.message() + "; " + b.message(), a.step()));
    }

    /**
     * The ids of the edited job's stored upstreams that the reader may not see, offered unnamed in the list they are
     * stored in, so the options step sends them back and the job keeps them (JobService keeps them only as stored).
     */
    private List<String> hidden(List<JobId> stored) {
        return stored.stream()
                .filter(id -> jobs.find(id)
                        .map(job -> !access.may(job.definition().namespace(), NamespaceAccess.Action.READ))
                        .orElse(false))
                .map(JobId::toString)
                .toList();
    }

    private List<Job> otherJobs(Job editing, JobForm form) {
        // only jobs the reader may see can be an upstream (JobValidator refuses the others as missing)
        NamespaceAccess.Scope visible = access.visible();
        List<Job> list =
                new ArrayList<>(jobs.list(JobQuery.firstPage(JobQuery.MAX_LIMIT).in(visible.restrict(null)))
                        .jobs());
        for (String selected : form.all("depends_on")) {
            JobId.parse(selected)
                    .filter(id -> list.stream().noneMatch(j -> j.id().equals(id)))
                    .flatMap(jobs::find)
                    .filter(job -> visible.includes(job.definition().namespace()))
                    .ifPresent(list::add);
        }
        if (editing != null) {
            list.removeIf(j -> j.id().equals(editing.id()));
        }
        return list;
    }
}
