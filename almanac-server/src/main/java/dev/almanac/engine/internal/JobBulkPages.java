package dev.almanac.engine.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.Permissions;
import dev.almanac.web.AdminPage;
import dev.almanac.web.LocalPaths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The job list's bulk actions: enable, disable, run or delete the selected jobs, after a confirmation. Each job goes
 * through the same call as its single action (role, limits and audit included), so a refusal is one job's, reported
 * by name. It lives beside {@link RunCommands} because "Run now" is the engine's.
 */
@AdminPage
class JobBulkPages {

    static final int MAX_JOBS = 100;

    /** One selected job as the confirmation shows it: {@code refusal} says why it will not be done. */
    record Selected(JobId id, String name, String refusal) {}

    /** What became of one job. */
    record Outcome(String name, String refusal) {}

    enum Action {
        ENABLE("enable", "Enable", "enabled"),
        DISABLE("disable", "Disable", "disabled"),
        RUN("run", "Run now", "queued to run"),
        DELETE("delete", "Delete", "deleted");

        final String value;
        final String label;
        final String done;

        Action(String value, String label, String done) {
            this.value = value;
            this.label = label;
            this.done = done;
        }

        public String value() {
            return value;
        }

        public String label() {
            return label;
        }

        static Optional<Action> of(String value) {
            for (Action action : values()) {
                if (action.value.equals(value)) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }
    }

    private final JobService jobs;
    private final JobCommands commands;
    private final RunCommands runs;
    private final Permissions permissions;
    private final NamespaceAccess access;

    JobBulkPages(
            JobService jobs, JobCommands commands, RunCommands runs, Permissions permissions, NamespaceAccess access) {
        this.jobs = jobs;
        this.commands = commands;
        this.runs = runs;
        this.permissions = permissions;
        this.access = access;
    }

    /** Without {@code confirmed}: the confirmation, naming every job and the ones that will be refused. */
    @PostMapping("/jobs/bulk")
    String bulk(
            @RequestParam(name = "action", required = false) String actionName,
            @RequestParam(name = "id", required = false) List<String> ids,
            @RequestParam(required = false) String confirmed,
            @RequestParam(required = false) String back,
            Model model,
            RedirectAttributes redirect) {
        String list = back != null && back.startsWith("/jobs") ? LocalPaths.orElse(back, "/jobs") : "/jobs";
        Optional<Action> action = Action.of(actionName == null ? "" : actionName);
        List<JobId> selected = ids == null
                ? List.of()
                : new LinkedHashSet<>(ids)
                        .stream()
                                .limit(MAX_JOBS)
                                .map(JobId::parse)
                                .flatMap(Optional::stream)
                                .toList();
        if (action.isEmpty() || selected.isEmpty()) {
            redirect.addFlashAttribute("flash", "Choose an action and at least one job first; nothing was done.");
            redirect.addFlashAttribute("flashKind", "warn");
            return "redirect:" + list;
        }
        if (!"yes".equals(confirmed)) {
            model.addAttribute("action", action.get());
            model.addAttribute(
                    "selected",
                    selected.stream().map(id -> selected(action.get(), id)).toList());
            model.addAttribute("back", list);
            return "jobs/bulk";
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (JobId id : selected) {
            outcomes.add(apply(action.get(), id));
        }
        List<Outcome> refused =
                outcomes.stream().filter(o -> o.refusal() != null).toList();
        int done = outcomes.size() - refused.size();
        redirect.addFlashAttribute(
                "flash",
                action.get().label + ": " + done + " of " + outcomes.size() + " job" + (outcomes.size() == 1 ? "" : "s")
                        + " " + action.get().done + (refused.isEmpty() ? "." : "; " + refused.size() + " refused."));
        if (!refused.isEmpty()) {
            redirect.addFlashAttribute("flashKind", "warn");
        }
        redirect.addFlashAttribute("bulkRefusals", refused);
        return "redirect:" + list;
    }

    private Selected selected(Action action, JobId id) {
        Optional<Job> job = visible(id);
        if (job.isEmpty()) {
            return new Selected(id, id.toString(), "no longer exists");
        }
        Permissions.JobActions may = permissions.onJob(
                job.get().definition().templateType(), job.get().definition().namespace());
        return new Selected(id, job.get().name(), action == Action.RUN ? may.whyNotRun() : may.whyNotChange());
    }

    private Outcome apply(Action action, JobId id) {
        String name = visible(id).map(Job::name).orElse(id.toString());
        try {
            switch (action) {
                case ENABLE -> commands.setEnabled(id, true);
                case DISABLE -> commands.setEnabled(id, false);
                case RUN -> runs.run(id, null, false);
                case DELETE -> commands.delete(id);
            }
            return new Outcome(name, null);
        } catch (ForbiddenException
                | TooManyRequestsException
                | ConflictException
                | NotFoundException
                | InvalidInputException refused) {
            return new Outcome(name, refused.getMessage());
        }
    }

    /** The job, unless the reader may not see it: then it is named like one that does not exist, by its id. */
    private Optional<Job> visible(JobId id) {
        return jobs.find(id).filter(found -> access.may(found.definition().namespace(), NamespaceAccess.Action.READ));
    }
}
