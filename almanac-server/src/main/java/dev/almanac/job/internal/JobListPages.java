package dev.almanac.job.internal;

import dev.almanac.common.NamespaceSelection;
import dev.almanac.job.Job;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobId;
import dev.almanac.job.JobPage;
import dev.almanac.job.JobPause;
import dev.almanac.job.JobQuery;
import dev.almanac.job.JobService;
import dev.almanac.schedule.ScheduleText;
import dev.almanac.security.NamespacePauses;
import dev.almanac.security.Permissions;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.util.UriComponentsBuilder;

/** The job list: filters, sortable columns, pages of 25, 50 or 100; htmx asks for the results only. */
@AdminPage
@RequestMapping("/jobs")
class JobListPages {

    /** The list's sortable columns, by the API name of their ascending order. */
    static final List<String> SORTABLE = List.of("name", "next_run_at", "last_run_at", "last_status");

    private final JobService jobs;
    private final TemplateRegistry templates;
    private final NamespaceSelection namespaces;

    private final JobHealth health;
    private final Permissions permissions;
    private final NamespacePauses pauses;
    private final Clock clock;

    JobListPages(
            JobService jobs,
            TemplateRegistry templates,
            NamespaceSelection namespaces,
            JobHealth health,
            Permissions permissions,
            NamespacePauses pauses,
            Clock clock) {
        this.pauses = pauses;
        this.clock = clock;
        this.health = health;
        this.jobs = jobs;
        this.templates = templates;
        this.namespaces = namespaces;
        this.permissions = permissions;
    }

    /**
     * A row of the job list, with what its cells and menu would otherwise work out again per attribute: what the
     * reader may do to the job, and the job's page ({@code path}, under which its actions sit) and history links.
     */
    public record JobRow(
            Job job,
            String schedule,
            TemplateDescriptor template,
            List<JobHealth.Problem> health,
            Permissions.JobActions may,
            String path,
            String history,
            String paused) {}

    /**
     * Why the job's slots are skipped now, for its paused badge: its own pause or its namespace's; null when neither
     * holds it (a pause whose until has passed holds it no more).
     */
    private String paused(Job job, Instant now) {
        JobPause own = job.pauseAt(now);
        if (own != null) {
            return "paused " + (own.until() == null ? "until resumed" : "until " + own.until())
                    + (own.reason() == null ? "" : ": " + own.reason());
        }
        return pauses.at(job.definition().namespace(), now)
                .map(p -> "namespace '" + p.namespace() + "' paused "
                        + (p.until() == null ? "until resumed" : "until " + p.until())
                        + (p.reason() == null ? "" : ": " + p.reason()))
                .orElse(null);
    }

    /** What the reader may do to a job depends on. */
    private record TemplateInNamespace(String templateType, String namespace) {}

    @GetMapping
    String list(
            @Valid @ModelAttribute("filter") JobListFilter filter,
            BindingResult binding,
            HtmxRequest htmx,
            HttpServletRequest request,
            Model model) {
        // a filter that could not be read (page=abc) is said above the list, which shows what could be read
        model.addAttribute(
                "filterErrors",
                binding.getFieldErrors().stream()
                        .map(e ->
                                e.getField() + ": " + (e.isBindingFailure() ? "not understood" : e.getDefaultMessage()))
                        .toList());
        JobListFilter read = filter == null ? JobListFilter.NONE : filter;
        JobQuery query = read.toQuery();
        if (read.paused()) {
            Instant at = clock.instant();
            query = query.paused(new JobQuery.PausedAt(at, pauses.pausedAt(at)));
        }
        // the namespace picked in the header, or every one the reader may see
        JobPage result = jobs.list(query.in(namespaces.scope()));
        Map<JobId, List<JobHealth.Problem>> problems =
                health.of(result.jobs().stream().map(Job::id).toList());
        // a page's jobs share a few templates and namespaces: each pair is asked about once
        Map<TemplateInNamespace, Permissions.JobActions> may = new HashMap<>();
        String context = request.getContextPath();
        Instant now = clock.instant();
        model.addAttribute(
                "rows",
                result.jobs().stream()
                        .map(job -> new JobRow(
                                job,
                                ScheduleText.describe(job.definition().schedule()),
                                templates
                                        .find(job.definition().templateType())
                                        .map(JobTemplate::descriptor)
                                        .orElse(null),
                                problems.getOrDefault(job.id(), List.of()),
                                may.computeIfAbsent(
                                        new TemplateInNamespace(
                                                job.definition().templateType(),
                                                job.definition().namespace()),
                                        key -> permissions.onJob(key.templateType(), key.namespace())),
                                context + "/jobs/" + job.id(),
                                context + "/executions?job_id=" + job.id(),
                                paused(job, now)))
                        .toList());
        model.addAttribute("result", result);
        model.addAttribute("query", query);
        model.addAttribute(
                "filtered",
                query.templateType() != null
                        || query.enabled() != null
                        || query.search() != null
                        || query.tag() != null
                        || query.lastStatus() != null
                        || query.invalid() != null
                        || query.paused() != null);
        model.addAttribute(
                "templates",
                templates.all().stream().map(JobTemplate::descriptor).toList());
        model.addAttribute("statuses", JobListFilter.LAST_STATUSES);
        model.addAttribute("filters", filterParameters(query));
        model.addAttribute("sizes", JobListFilter.PAGE_SIZES);
        Map<String, String> sortLinks = new LinkedHashMap<>();
        for (String column : SORTABLE) {
            JobQuery.Sort ascending = JobQuery.Sort.fromJson(column).orElseThrow();
            boolean current = query.sort() == ascending || query.sort() == ascending.reversed();
            sortLinks.put(column, listUrl(query, current ? query.sort().reversed() : ascending, 1));
        }
        model.addAttribute("sortLinks", sortLinks);
        model.addAttribute("sorted", query.sort().json().replace("-", ""));
        model.addAttribute("sortOrder", query.sort().descending() ? "descending" : "ascending");
        // a page past the end (the last page's jobs were deleted, say) offers the last page instead of "no jobs"
        model.addAttribute(
                "lastPage",
                result.jobs().isEmpty() && result.total() > 0 ? listUrl(query, query.sort(), result.pages()) : null);
        model.addAttribute("previousPage", result.page() > 1 ? listUrl(query, query.sort(), result.page() - 1) : null);
        model.addAttribute(
                "nextPage", result.page() < result.pages() ? listUrl(query, query.sort(), result.page() + 1) : null);
        return htmx.isHtmxRequest() ? "jobs/list :: results" : "jobs/list";
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
        if (query.limit() != JobListFilter.PAGE_SIZE) {
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
        if (query.paused() != null) {
            filters.put("state", "paused");
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
        if (query.invalid() != null) {
            filters.put("invalid", query.invalid().toString());
        }
        if (query.sort() != JobQuery.Sort.NAME) {
            filters.put("sort", query.sort().json());
        }
        return filters;
    }
}
