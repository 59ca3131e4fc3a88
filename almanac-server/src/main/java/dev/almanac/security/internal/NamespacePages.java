package dev.almanac.security.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NamespaceGrants;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.NamespaceRole;
import dev.almanac.security.NamespaceRuns;
import dev.almanac.security.Permissions;
import dev.almanac.web.AdminPage;
import dev.almanac.web.LocalPaths;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The namespaces pages: the list (super admins create and delete there), one namespace's page with its members and
 * their roles, its quotas against their use and what the configuration grants it (its owners and super admins change
 * them there), and the header's switcher. A refused create or edit form is shown again over the input with each error
 * at its field (400, 409 for a name taken; htmx swaps the form); other refusals are pages' refusals
 * ({@code PageAdvice}): in place for htmx, the error page with a way back otherwise.
 */
@AdminPage
class NamespacePages {

    /** The quota fields as the form labels them. */
    private static final Map<String, String> QUOTA_LABELS = Map.of(
            "jobs", "Jobs",
            "manual_runs_per_hour", "Manual runs per hour",
            "runs_at_once", "Runs at once",
            "history_days", "Days of history kept",
            "runs_per_job", "Runs kept per job");

    private final NamespaceService namespaces;
    private final NamespaceAccess access;
    private final NamespaceQuotas quotas;
    private final CurrentNamespace current;
    private final ObjectProvider<NamespaceRuns> runs;
    private final List<NamespaceGrants> grants;

    NamespacePages(
            NamespaceService namespaces,
            NamespaceAccess access,
            NamespaceQuotas quotas,
            CurrentNamespace current,
            ObjectProvider<NamespaceRuns> runs,
            List<NamespaceGrants> grants) {
        this.namespaces = namespaces;
        this.access = access;
        this.quotas = quotas;
        this.current = current;
        this.runs = runs;
        this.grants = grants;
    }

    /** A namespace as the list shows it. */
    public record Row(Namespace namespace, long jobs, String yourRole) {}

    /** One quota against its use: {@code jobs 12 / 20}; {@code used} null where use is not counted. */
    public record Use(String label, String field, Long used, Integer quota) {}

    /** One kind of grant and its names. */
    public record Grant(String kind, List<String> names) {}

    @GetMapping("/namespaces")
    String list(Model model) {
        model.addAttribute(
                "rows",
                namespaces.visible().stream()
                        .map(n -> new Row(n, quotas.jobsIn(n.name()), yourRole(n.name())))
                        .toList());
        model.addAttribute("mayCreate", Permissions.has(Role.SUPER_ADMIN));
        model.addAttribute("form", Map.of());
        model.addAttribute("errors", Map.of());
        return "namespaces/list";
    }

    @PostMapping("/namespaces")
    String create(
            @RequestParam Map<String, String> form,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            Namespace created = namespaces.create(changes(form, form.get("name")));
            redirect.addFlashAttribute("flash", "Namespace '" + created.name() + "' created");
            return redirect(htmx, "/namespaces/" + created.name());
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            list(model);
            shown(model, form, invalid.errors());
        } catch (ConflictException taken) {
            // shown at the name, answered 409 as the API answers a name taken
            Refusals.status(response, taken);
            list(model);
            shown(model, form, List.of(new FieldError("name", taken.getMessage())));
        }
        return htmx.isHtmxRequest() ? "namespaces/list :: create-form" : "namespaces/list";
    }

    @GetMapping("/namespaces/{name}")
    String detail(@PathVariable String name, Model model) {
        Namespace namespace = namespaces.get(name);
        Namespace.Quotas q = namespace.quotas();
        NamespaceRuns running = runs.getIfAvailable();
        model.addAttribute("ns", namespace);
        model.addAttribute("members", namespaces.members(name));
        model.addAttribute(
                "roles",
                Arrays.stream(NamespaceRole.values()).map(NamespaceRole::json).toList());
        model.addAttribute(
                "uses",
                List.of(
                        new Use("jobs", "jobs", quotas.jobsIn(name), q.jobs()),
                        new Use(
                                "runs at once",
                                "runs_at_once",
                                running == null ? null : running.runningIn(name),
                                q.runsAtOnce()),
                        new Use(
                                "manual runs and backfills in the last hour",
                                "manual_runs_per_hour",
                                quotas.manualRunsLastHour(name),
                                q.manualRunsPerHour()),
                        new Use("days of history kept", "history_days", null, q.historyDays()),
                        new Use("runs kept per job", "runs_per_job", null, q.runsPerJob())));
        model.addAttribute(
                "grants",
                grants.stream().map(g -> new Grant(g.kind(), g.grantedTo(name))).toList());
        model.addAttribute("mayManage", access.may(name, NamespaceAccess.Action.MANAGE));
        model.addAttribute("mayDelete", Permissions.has(Role.SUPER_ADMIN) && !Namespace.DEFAULT.equals(name));
        model.addAttribute("yourRole", yourRole(name));
        model.addAttribute("picked", name.equals(current.selected()));
        model.addAttribute("form", form(namespace));
        model.addAttribute("errors", Map.of());
        model.addAttribute("nsPause", namespaces.pauseOf(name).orElse(null));
        if (!model.containsAttribute("pauseErrors")) {
            model.addAttribute("pauseErrors", Map.of());
            model.addAttribute("pauseForm", Map.of());
        }
        return "namespaces/detail";
    }

    /**
     * Pauses every job of the namespace until a UTC time (empty: until resumed), with a reason; refused, the page
     * again with the input and each error at its field (400).
     */
    @PostMapping("/namespaces/{name}/pause")
    String pause(
            @PathVariable String name,
            @RequestParam(required = false) String until,
            @RequestParam(required = false) String reason,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            java.time.Instant end = null;
            if (until != null && !until.isBlank()) {
                try {
                    end = dev.almanac.common.LocalTimes.resolve(
                            dev.almanac.common.IsoTimes.localDateTime(until.strip()), java.time.ZoneOffset.UTC);
                } catch (java.time.format.DateTimeParseException bad) {
                    throw new InvalidInputException("until", "must be a date and time like 2026-12-20T18:00");
                }
            }
            dev.almanac.security.NamespacePause pause = namespaces.pause(name, end, reason);
            redirect.addFlashAttribute(
                    "flash",
                    "Namespace '" + name + "' paused "
                            + (pause.until() == null ? "until resumed" : "until " + pause.until()));
            return redirect(htmx, "/namespaces/" + name);
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            Map<String, String> errors = new LinkedHashMap<>();
            invalid.errors().forEach(e -> errors.merge(e.field(), e.message(), (a, b) -> a + "; " + b));
            Map<String, String> form = new java.util.HashMap<>();
            form.put("until", until);
            form.put("reason", reason);
            model.addAttribute("pauseErrors", errors);
            model.addAttribute("pauseForm", form);
            detail(name, model);
            return "namespaces/detail";
        }
    }

    /** Resumes the namespace; one not paused is a 409, as on the API. */
    @PostMapping("/namespaces/{name}/resume")
    String resume(
            @PathVariable String name,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            namespaces.resume(name);
        } catch (dev.almanac.common.ConflictException notPaused) {
            // a stale page (another tab resumed it, or its pause ran out): the namespace page as it is now, with why
            response.setStatus(HttpServletResponse.SC_CONFLICT);
            detail(name, model);
            model.addAttribute("flash", notPaused.getMessage());
            model.addAttribute("flashKind", "warn");
            return "namespaces/detail";
        }
        redirect.addFlashAttribute("flash", "Namespace '" + name + "' resumed: the slots it missed stay skipped");
        return redirect(htmx, "/namespaces/" + name);
    }

    @PostMapping("/namespaces/{name}")
    String update(
            @PathVariable String name,
            @RequestParam Map<String, String> form,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            namespaces.update(name, changes(form, null));
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            detail(name, model);
            shown(model, form, invalid.errors());
            return htmx.isHtmxRequest() ? "namespaces/detail :: edit-form" : "namespaces/detail";
        }
        redirect.addFlashAttribute("flash", "Namespace '" + name + "' updated");
        return redirect(htmx, "/namespaces/" + name);
    }

    @PostMapping("/namespaces/{name}/delete")
    String delete(@PathVariable String name, HtmxRequest htmx, RedirectAttributes redirect) {
        namespaces.delete(name);
        redirect.addFlashAttribute("flash", "Namespace '" + name + "' deleted");
        return redirect(htmx, "/namespaces");
    }

    /** Gives {@code username} {@code role} here: a new member, or a new role for one. */
    @PostMapping("/namespaces/{name}/members")
    String putMember(
            @PathVariable String name,
            @RequestParam(required = false) String username,
            @RequestParam(required = false) String role,
            HtmxRequest htmx,
            RedirectAttributes redirect) {
        String user = username == null ? "" : username.strip();
        Map<String, String> members = new LinkedHashMap<>();
        namespaces.members(name).forEach((member, held) -> members.put(member, held.json()));
        boolean added = !members.containsKey(user);
        members.put(user, role);
        try {
            replace(name, members);
        } catch (InvalidInputException invalid) {
            // the API's members[i].field, as this form names it
            throw new InvalidInputException(invalid.errors().stream()
                    .map(e -> new FieldError(e.field().replaceFirst("^members\\[\\d+]\\.", ""), e.message()))
                    .toList());
        }
        redirect.addFlashAttribute(
                "flash", (added ? "'" + user + "' added as " : "'" + user + "' is now ") + role + " of '" + name + "'");
        return redirect(htmx, "/namespaces/" + name);
    }

    @PostMapping("/namespaces/{name}/members/{username}/remove")
    String removeMember(
            @PathVariable String name, @PathVariable String username, HtmxRequest htmx, RedirectAttributes redirect) {
        Map<String, String> members = new LinkedHashMap<>();
        namespaces.members(name).forEach((member, held) -> members.put(member, held.json()));
        if (members.remove(username) == null) {
            throw new InvalidInputException("username", "'" + username + "' holds no role in '" + name + "'");
        }
        replace(name, members);
        redirect.addFlashAttribute("flash", "'" + username + "' no longer holds a role in '" + name + "'");
        return redirect(htmx, "/namespaces/" + name);
    }

    /** The header's switcher: remembers the pick and goes back to the page it was made on. */
    @PostMapping("/account/namespace")
    String select(
            @RequestParam(required = false) String namespace,
            @RequestParam(required = false) String back,
            HtmxRequest htmx) {
        current.select(namespace);
        return redirect(htmx, LocalPaths.orElse(back, "/"));
    }

    private void replace(String name, Map<String, String> members) {
        List<Map.Entry<String, String>> sent = new ArrayList<>();
        members.forEach((user, role) -> sent.add(new AbstractMap.SimpleEntry<>(user, role)));
        namespaces.replaceMembers(name, sent);
    }

    private String yourRole(String namespace) {
        return access.roleIn(namespace)
                .map(NamespaceRole::json)
                .orElse(
                        Permissions.has(Role.SUPER_ADMIN)
                                ? "super admin"
                                : Permissions.has(Role.ADMIN) ? "admin (editor everywhere)" : null);
    }

    /** The form's fields as a change: blank quota fields are "no quota"; text that is not a number is refused. */
    private static NamespaceService.Changes changes(Map<String, String> form, String name) {
        List<FieldError> errors = new ArrayList<>();
        Namespace.Quotas quotas = new Namespace.Quotas(
                number(form, "jobs", errors),
                number(form, "manual_runs_per_hour", errors),
                number(form, "runs_at_once", errors),
                number(form, "history_days", errors),
                number(form, "runs_per_job", errors));
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new NamespaceService.Changes(
                name, form.getOrDefault("display_name", ""), form.getOrDefault("description", ""), quotas);
    }

    private static Integer number(Map<String, String> form, String field, List<FieldError> errors) {
        String text = form.getOrDefault(field, "").strip();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            errors.add(new FieldError(
                    field, QUOTA_LABELS.get(field) + " quota must be a whole number, or empty for none"));
            return null;
        }
    }

    /** A namespace's settings as its edit form shows them. */
    private static Map<String, String> form(Namespace namespace) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("display_name", namespace.displayName());
        form.put("description", namespace.description());
        NamespaceService.quotasMap(namespace.quotas())
                .forEach((quota, value) -> form.put(quota, value == null ? null : value.toString()));
        return form;
    }

    /** The form again over what the reader sent, each error at its field in the words of this page. */
    private static void shown(Model model, Map<String, String> form, List<FieldError> refused) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (FieldError error : refused) {
            String field = error.field() == null ? "name" : error.field().replaceFirst("^quotas\\.", "");
            Integer max = error.field() != null && error.field().startsWith("quotas.")
                    ? NamespaceService.QUOTA_MAXIMA.get(field)
                    : null;
            String message = max == null
                    ? error.message()
                    : QUOTA_LABELS.get(field) + " quota must be 1 to " + spaced(max) + ", or empty for none";
            errors.merge(field, message, (a, b) -> a + "; " + b);
        }
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
    }

    /** {@code 1000000} as {@code 1 000 000}. */
    private static String spaced(int number) {
        return String.format(Locale.ROOT, "%,d", number).replace(',', ' ');
    }

    private static String redirect(HtmxRequest htmx, String path) {
        return (htmx.isHtmxRequest() ? "redirect:htmx:" : "redirect:") + path;
    }
}
