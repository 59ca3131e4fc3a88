package dev.almanac.audit.internal;

import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NamespaceSelection;
import dev.almanac.common.QueryParameters;
import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log page of the admin UI (super admins, by the security chain): the trail newest first, filtered as the
 * API filters it through {@link AuditSearch}, with the before and after of every change side by side.
 */
@AdminPage
@RequestMapping("/audit")
public class AuditPages {

    static final int PAGE_SIZE = 50;
    static final List<String> ACTIONS = List.of(
            "job",
            "job.created",
            "job.updated",
            "job.enabled",
            "job.disabled",
            "job.deleted",
            "job.imported",
            "job.run",
            "job.dry_run",
            "execution",
            "execution.cancelled",
            "execution.deleted",
            "login",
            "login.succeeded",
            "login.failed",
            "logout",
            "access.denied",
            "token",
            "token.created",
            "token.revoked",
            "user",
            "user.created",
            "user.updated",
            "user.password_changed",
            "user.deleted");
    // what a datetime-local input sends: a time without a zone, which this page reads as UTC
    private static final Pattern LOCAL_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final AuditSearch search;
    private final JsonMapper json;
    private final NamespaceSelection selection;

    AuditPages(AuditSearch search, JsonMapper json, NamespaceSelection selection) {
        this.search = search;
        this.json = json;
        this.selection = selection;
    }

    /** An event as the page shows it: its changes as before and after, its other details as text. */
    public record Row(AuditEvent event, List<Change> changes, List<Detail> details) {}

    /** One changed field of an update. */
    public record Change(String field, String before, String after) {}

    /** One other detail of an event; a structured one (a whole definition) is shown as indented JSON, folded. */
    public record Detail(String name, String value, boolean structured) {}

    @GetMapping
    String list(
            @RequestParam(required = false) String actor,
            @RequestParam(required = false) String action,
            @RequestParam(required = false) String target,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String before,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        AuditSearch.Page page;
        // the namespace picked in the header keeps the events about its jobs and executions (no logins, no users)
        String namespace = selection.selected();
        model.addAttribute("namespace", namespace);
        try {
            page = search.search(
                    new AuditSearch.Filter(actor, action, target, utc(from), utc(to), null, before, namespace),
                    PAGE_SIZE);
        } catch (InvalidInputException invalid) {
            invalid.errors().forEach(error -> errors.put(error.field(), message(error.field(), error.message())));
            page = new AuditSearch.Page(List.of(), null);
            // as the API answers the same filters: the page says which could not be read, with 400
            response.setStatus(HttpStatus.BAD_REQUEST.value());
        }
        model.addAttribute("rows", page.events().stream().map(this::row).toList());
        model.addAttribute("actor", QueryParameters.text(actor));
        model.addAttribute("action", QueryParameters.text(action));
        model.addAttribute("target", QueryParameters.text(target));
        model.addAttribute("from", QueryParameters.text(from));
        model.addAttribute("to", QueryParameters.text(to));
        model.addAttribute("actions", ACTIONS);
        model.addAttribute("errors", errors);
        model.addAttribute(
                "filtered",
                QueryParameters.text(actor) != null
                        || QueryParameters.text(action) != null
                        || QueryParameters.text(target) != null
                        || QueryParameters.text(from) != null
                        || QueryParameters.text(to) != null);
        model.addAttribute("firstPage", QueryParameters.text(before) == null);
        model.addAttribute("nextBefore", page.nextBefore());
        return htmx.isHtmxRequest() ? "audit/list :: results" : "audit/list";
    }

    private Row row(AuditEvent event) {
        Map<String, Object> details = event.details() == null ? Map.of() : event.details();
        List<Change> changes = new ArrayList<>();
        if (details.get("changes") instanceof Map<?, ?> changed) {
            changed.forEach((field, change) -> {
                if (change instanceof Map<?, ?> pair && (pair.containsKey("before") || pair.containsKey("after"))) {
                    changes.add(new Change(String.valueOf(field), text(pair.get("before")), text(pair.get("after"))));
                } else {
                    changes.add(new Change(String.valueOf(field), "", text(change)));
                }
            });
        }
        List<Detail> rest = new ArrayList<>();
        details.forEach((name, value) -> {
            if (!name.equals("changes") || changes.isEmpty()) {
                boolean structured = value instanceof Map<?, ?> || value instanceof List<?>;
                rest.add(new Detail(
                        name,
                        structured ? json.writerWithDefaultPrettyPrinter().writeValueAsString(value) : text(value),
                        structured));
            }
        });
        return new Row(event, changes, rest);
    }

    private String text(Object value) {
        if (value == null) {
            return "—";
        }
        return value instanceof String string ? string : json.writeValueAsString(value);
    }

    private static String utc(String value) {
        String text = QueryParameters.text(value);
        if (text == null) {
            return null;
        }
        if (LOCAL_TIME.matcher(text).matches()) {
            return text + "Z";
        }
        return DATE.matcher(text).matches() ? text + "T00:00:00Z" : text;
    }

    private static String message(String field, String message) {
        if ((field.equals("from") || field.equals("to")) && !message.equals(QueryParameters.NOT_AFTER_FROM)) {
            return "must be a date and time in UTC, e.g. 2026-06-01T10:00";
        }
        if (field.equals("before")) {
            return message.equals(AuditSearch.GONE)
                    ? "This page of the log no longer exists; start again from the newest events."
                    : "The link to older events could not be read (an old link, or cut short);"
                            + " start again from the newest events.";
        }
        return message;
    }
}
