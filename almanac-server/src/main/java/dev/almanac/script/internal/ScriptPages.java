package dev.almanac.script.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.Ids;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.script.Language;
import dev.almanac.script.Script;
import dev.almanac.script.ScriptService;
import dev.almanac.script.ScriptUsers;
import dev.almanac.script.ScriptVersion;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.security.Namespace;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The script pages of the admin UI: the list, a script with its versions and the jobs that run it, writing a script or
 * a new version in a code editor, and reviewing a version against the last approved one. Everything goes through
 * {@link ScriptService}, like the REST API: the same rules, refusals and audit events.
 */
@AdminPage
@RequestMapping("/scripts")
class ScriptPages {

    /** The write form: a new script (name, language, description) or a new version (source and network only). */
    record ScriptForm(
            String name,
            String language,
            String description,
            String source,
            @BindParam("network_allowed") String networkAllowed,
            String namespace) {

        /** The box is ticked when the browser sends it at all. */
        public boolean network() {
            return networkAllowed != null;
        }
    }

    /** A version as its row on the script page shows it. */
    record VersionRow(ScriptVersion version, boolean dryRun) {}

    /** A job that runs the script: the version it runs now, and whether it follows each new approval. */
    record UseRow(UUID jobId, String jobName, String namespace, Integer version, boolean latest) {}

    /** Where a new script may go: a namespace, or {@code ""} for a global script. */
    record Home(String value, String label) {}

    private final ScriptService scripts;
    private final List<ScriptUsers> users;
    private final CurrentNamespace namespaces;

    ScriptPages(ScriptService scripts, List<ScriptUsers> users, CurrentNamespace namespaces) {
        this.scripts = scripts;
        this.users = users;
        this.namespaces = namespaces;
    }

    /** The global scripts and those of the namespaces the reader sees, kept to the one picked in the switcher. */
    @GetMapping
    String list(Model model) {
        Set<String> scope = namespaces.scope();
        model.addAttribute(
                "scripts",
                scripts.all().stream()
                        .filter(script ->
                                script.namespace() == null || scope == null || scope.contains(script.namespace()))
                        .map(script -> summary(script))
                        .toList());
        model.addAttribute("mayWrite", !homes().isEmpty());
        return "scripts/list";
    }

    @GetMapping("/new")
    String newScript(Model model) {
        // where the reader works now, when they may write there; else global for a global admin, else their first
        List<Home> homes = homes();
        if (homes.isEmpty()) {
            // never offered and then refused: the editor is only for someone who may save what they write in it
            throw scripts.writingRefused();
        }
        String picked = namespaces.selected();
        String home = homes.stream().anyMatch(h -> h.value().equals(picked))
                ? picked
                : homes.get(0).value();
        return write(null, new ScriptForm("", Language.PYTHON3.json(), "", "", null, home), Map.of(), model);
    }

    @PostMapping
    String create(
            @ModelAttribute ScriptForm form, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        try {
            Script script = scripts.create(
                    form.name(), form.language(), form.description(), form.source(), form.network(), form.namespace());
            redirect.addFlashAttribute(
                    "flash",
                    "Script '" + script.name() + "' created: version 1 is pending until a second person approves it");
            return "redirect:/scripts/" + script.id();
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            return write(null, form, errors(invalid.errors()), model);
        } catch (ConflictException conflict) {
            Refusals.status(response, conflict);
            return write(null, form, Map.of(conflict.field(), conflict.getMessage()), model);
        }
    }

    @GetMapping("/{id}")
    String script(@PathVariable String id, Model model) {
        Script script = scripts.script(id(id));
        List<ScriptVersion> versions = scripts.versions(script.id());
        Optional<ScriptVersion> latestApproved =
                versions.stream().filter(ScriptVersion::approved).findFirst();
        model.addAttribute("script", script);
        model.addAttribute("mayWrite", scripts.mayWriteIn(script.namespace()));
        model.addAttribute("mayReview", scripts.mayReview(script));
        model.addAttribute(
                "versions",
                versions.stream()
                        .map(v -> new VersionRow(v, v.supportsDryRun()))
                        .toList());
        model.addAttribute(
                "latestApproved", latestApproved.map(ScriptVersion::version).orElse(null));
        model.addAttribute(
                "uses",
                users.stream()
                        .flatMap(u -> u.jobsUsing(script.name()).stream())
                        // a namespace's script is its own jobs' (another namespace may have one of the same name)
                        .filter(use ->
                                script.namespace() == null || script.namespace().equals(use.namespace()))
                        .map(use -> new UseRow(
                                use.jobId(),
                                use.jobName(),
                                use.namespace(),
                                use.pinnedVersion() != null
                                        ? use.pinnedVersion()
                                        : latestApproved
                                                .map(ScriptVersion::version)
                                                .orElse(null),
                                use.pinnedVersion() == null))
                        .toList());
        return "scripts/detail";
    }

    @GetMapping("/{id}/versions/new")
    String newVersion(@PathVariable String id, Model model) {
        Script script = scripts.requireMayWriteVersion(id(id));
        List<ScriptVersion> versions = scripts.versions(script.id());
        // the newest version is where a change starts, approved or not
        ScriptVersion newest = versions.get(0);
        return write(
                script,
                new ScriptForm(
                        script.name(),
                        script.language().json(),
                        script.description(),
                        newest.source(),
                        newest.networkAllowed() ? "true" : null,
                        script.namespace()),
                Map.of(),
                model);
    }

    @PostMapping("/{id}/versions")
    String addVersion(
            @PathVariable String id,
            @ModelAttribute ScriptForm form,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        Script script = scripts.script(id(id));
        try {
            ScriptVersion version = scripts.addVersion(script.id(), form.source(), form.network());
            redirect.addFlashAttribute(
                    "flash",
                    "Version " + version.version() + " of '" + script.name()
                            + "' saved: it is pending until a second person approves it");
            return "redirect:/scripts/" + script.id() + "/versions/" + version.version();
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            ScriptForm shown = new ScriptForm(
                    script.name(),
                    script.language().json(),
                    script.description(),
                    form.source(),
                    form.networkAllowed(),
                    script.namespace());
            return write(script, shown, errors(invalid.errors()), model);
        }
    }

    @GetMapping("/{id}/versions/{version}")
    String version(@PathVariable String id, @PathVariable int version, Model model) {
        return review(scripts.script(id(id)), version, "", Map.of(), model);
    }

    /**
     * Approves or rejects a version. A refusal (the author, a role that may not review, a version already reviewed) is
     * the service's, shown as the page's alert, in place through htmx; a missing comment is shown at the field.
     */
    @PostMapping("/{id}/versions/{version}/review")
    String decide(
            @PathVariable String id,
            @PathVariable int version,
            @RequestParam(name = "decision", required = false) String decision,
            @RequestParam(name = "comment", required = false) String comment,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        Script script = scripts.script(id(id));
        boolean approve = "approve".equals(decision);
        if (!approve && !"reject".equals(decision)) {
            throw new InvalidInputException("decision", "must be approve or reject");
        }
        try {
            ScriptVersion reviewed = approve
                    ? scripts.approve(script.id(), version, comment)
                    : scripts.reject(script.id(), version, comment);
            redirect.addFlashAttribute(
                    "flash",
                    "Version " + reviewed.version() + " of '" + script.name() + "' "
                            + reviewed.status().json()
                            + (approve ? ": jobs may run it from now on" : ": no job will run it"));
            String target = "/scripts/" + script.id();
            return htmx.isHtmxRequest() ? "redirect:htmx:" + target : "redirect:" + target;
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            review(script, version, comment, errors(invalid.errors()), model);
            return htmx.isHtmxRequest() ? "scripts/version :: review" : "scripts/version";
        }
    }

    private String review(Script script, int number, String comment, Map<String, String> errors, Model model) {
        ScriptVersion version = scripts.version(script.id(), number);
        ScriptService.Diff diff = scripts.diff(script.id(), number);
        model.addAttribute("script", script);
        model.addAttribute("version", version);
        model.addAttribute("against", diff.against());
        model.addAttribute("againstNetwork", diff.againstNetworkAllowed());
        model.addAttribute("diff", DiffRows.of(diff.unified()));
        model.addAttribute("author", CurrentActor.name().equals(version.author()));
        model.addAttribute("mayReview", scripts.mayReview(script));
        model.addAttribute("comment", comment == null ? "" : comment);
        model.addAttribute("errors", errors);
        return "scripts/version";
    }

    private String write(Script script, ScriptForm form, Map<String, String> errors, Model model) {
        model.addAttribute("script", script);
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        model.addAttribute(
                "languages",
                Arrays.stream(Language.values()).map(Language::json).toList());
        model.addAttribute("homes", homes());
        return "scripts/edit";
    }

    /** The namespaces the reader may write scripts in, and "global" for a global admin. */
    private List<Home> homes() {
        List<Home> homes = new ArrayList<>();
        if (scripts.mayWriteIn(null)) {
            homes.add(new Home("", "global (every namespace's jobs may use it)"));
        }
        namespaces.options().stream()
                .map(Namespace::name)
                .filter(scripts::mayWriteIn)
                .forEach(name -> homes.add(new Home(name, name)));
        return homes;
    }

    /** A script on the list: its newest version and its newest approved one. */
    record Summary(Script script, int versions, ScriptVersion newest, Integer latestApproved, long pending) {}

    private Summary summary(Script script) {
        List<ScriptVersion> versions = scripts.versions(script.id());
        return new Summary(
                script,
                versions.size(),
                versions.isEmpty() ? null : versions.get(0),
                versions.stream()
                        .filter(ScriptVersion::approved)
                        .map(ScriptVersion::version)
                        .findFirst()
                        .orElse(null),
                versions.stream()
                        .filter(v -> v.status() == ScriptVersion.Status.PENDING)
                        .count());
    }

    private static Map<String, String> errors(List<FieldError> errors) {
        Map<String, String> byField = new LinkedHashMap<>();
        errors.forEach(error -> byField.putIfAbsent(error.field(), error.message()));
        return byField;
    }

    private static UUID id(String id) {
        return Ids.parse(id).orElseThrow(() -> new NotFoundException("no script with id " + id));
    }
}
