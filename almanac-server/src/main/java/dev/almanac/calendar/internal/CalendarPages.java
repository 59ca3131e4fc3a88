package dev.almanac.calendar.internal;

import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.Freeze;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.LocalTimes;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TimeZones;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.security.Permissions;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The calendars and freezes pages of the admin UI: list, create, edit and delete calendars (dates, ranges, weekly
 * windows and an uploaded {@code .ics} file), and declare, list and end freezes. Everything goes through
 * {@link CalendarService}, like the REST API, so its validation names the field, shown at the field here.
 */
@AdminPage
@RequestMapping
class CalendarPages {

    private static final Pattern RANGE = Pattern.compile("(.+?)\\s*(?:\\.\\.|\\bto\\b|–|→)\\s*(.+)");
    private static final Pattern WEEKLY = Pattern.compile("(.+?)\\s*(?:\\.\\.|\\bto\\b|–|→|\\s-\\s)\\s*(.+)");
    private static final Pattern INDEXED = Pattern.compile("(dates|ranges|weekly)\\[(\\d+)](?:\\.(from|to))?");

    /** A calendar form as the browser sends it: one entry a line. */
    record CalendarForm(
            String name,
            String namespace,
            String timezone,
            String description,
            String dates,
            String ranges,
            String weekly,
            String ics,
            MultipartFile icsFile) {

        static CalendarForm blank(String namespace) {
            return new CalendarForm("", namespace == null ? "" : namespace, "UTC", "", "", "", "", "", null);
        }

        static CalendarForm of(CalendarSpec spec) {
            return new CalendarForm(
                    spec.name(),
                    spec.namespace() == null ? "" : spec.namespace(),
                    spec.timezone(),
                    spec.description() == null ? "" : spec.description(),
                    String.join("\n", spec.dates()),
                    String.join(
                            "\n",
                            spec.ranges().stream()
                                    .map(w -> w.from() + " .. " + w.to())
                                    .toList()),
                    String.join(
                            "\n",
                            spec.weekly().stream()
                                    .map(w -> w.from() + " to " + w.to())
                                    .toList()),
                    spec.ics() == null ? "" : spec.ics(),
                    null);
        }
    }

    /** A freeze form: local times in a zone. */
    record FreezeForm(String from, String to, String timezone, String scope, String reason) {

        static FreezeForm blank() {
            return new FreezeForm("", "", "UTC", Freeze.ALL, "");
        }
    }

    private final CalendarService service;
    private final Permissions permissions;
    private final CurrentNamespace currentNamespace;
    private final Clock clock;

    CalendarPages(CalendarService service, Permissions permissions, CurrentNamespace currentNamespace, Clock clock) {
        this.service = service;
        this.permissions = permissions;
        this.currentNamespace = currentNamespace;
        this.clock = clock;
    }

    /** The calendars of the header's namespace (all the reader may see when none is picked), global ones marked. */
    @GetMapping("/calendars")
    String list(Model model) {
        List<CalendarSpec> calendars = service.list(currentNamespace.selected());
        model.addAttribute("calendars", calendars);
        model.addAttribute(
                "manageable",
                calendars.stream()
                        .filter(c -> service.mayManage(c.namespace()))
                        .map(c -> (c.global() ? "" : c.namespace()) + "/" + c.name())
                        .collect(Collectors.toSet()));
        model.addAttribute(
                "mayCreate",
                service.mayManage(null) || !service.managedNamespaces().isEmpty());
        return "calendars/list";
    }

    @GetMapping("/calendars/new")
    String newCalendar(Model model) {
        String picked = currentNamespace.selected();
        List<String> owned = service.managedNamespaces();
        String preset = picked != null && owned.contains(picked)
                ? picked
                : service.mayManage(null) || owned.isEmpty() ? null : owned.get(0);
        return form(CalendarForm.blank(preset), null, null, Map.of(), model);
    }

    @PostMapping("/calendars/new")
    String create(
            @ModelAttribute CalendarForm form,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            CalendarSpec created = service.create(spec(form, blankToNull(form.namespace()), null));
            redirect.addFlashAttribute("flash", "Calendar '" + created.name() + "' created" + moved(created));
            return redirect(htmx, "/calendars");
        } catch (InvalidInputException invalid) {
            return refused(form, null, null, invalid, htmx, response, model);
        } catch (ConflictException taken) {
            // shown at the name, answered 409 as the API answers a name taken
            String view = refused(
                    form, null, null, new InvalidInputException("name", taken.getMessage()), htmx, response, model);
            Refusals.status(response, taken);
            return view;
        }
    }

    @GetMapping("/calendars/{name}")
    String edit(@PathVariable String name, @RequestParam(required = false) String namespace, Model model) {
        String ns = blankToNull(namespace);
        return form(CalendarForm.of(service.get(ns, name)), ns, name, Map.of(), model);
    }

    @PostMapping("/calendars/{name}")
    String update(
            @PathVariable String name,
            @RequestParam(required = false) String namespace,
            @ModelAttribute CalendarForm form,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        String ns = blankToNull(namespace);
        service.get(ns, name);
        try {
            CalendarSpec saved = spec(form, ns, name);
            service.update(ns, name, saved);
            redirect.addFlashAttribute(
                    "flash", "Calendar '" + name + "' saved; the jobs that use it follow it now" + moved(saved));
            return redirect(htmx, "/calendars");
        } catch (InvalidInputException invalid) {
            return refused(form, ns, name, invalid, htmx, response, model);
        }
    }

    @PostMapping("/calendars/{name}/delete")
    String delete(
            @PathVariable String name,
            @RequestParam(required = false) String namespace,
            HtmxRequest htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            service.delete(blankToNull(namespace), name);
        } catch (ConflictException used) {
            if (htmx.isHtmxRequest()) {
                return Refusals.page(request, response, model, used, used.getMessage());
            }
            redirect.addFlashAttribute("refusal", used.getMessage());
            redirect.addFlashAttribute("refusedCalendar", name);
            return "redirect:/calendars";
        }
        redirect.addFlashAttribute("flash", "Calendar '" + name + "' deleted");
        return redirect(htmx, "/calendars");
    }

    @GetMapping("/freezes")
    String freezes(Model model) {
        permissions.requireSuperAdmin("open the freezes page", null);
        return freezePage(FreezeForm.blank(), Map.of(), model);
    }

    @PostMapping("/freezes")
    String freeze(
            @ModelAttribute FreezeForm form,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        List<FieldError> errors = new ArrayList<>();
        ZoneId zone = zone(form.timezone(), errors);
        // with a zone refused, the times are still read (in UTC) so that only what is wrong with them is named
        ZoneId readIn = zone == null ? ZoneOffset.UTC : zone;
        String from = instant(form.from(), readIn, "from", errors);
        String to = instant(form.to(), readIn, "to", errors);
        List<String> moved = new ArrayList<>();
        for (String local : new String[] {form.from(), form.to()}) {
            gapNote(local, readIn).ifPresent(moved::add);
        }
        try {
            // the service adds what else is wrong (the order of the times, scope, reason) before refusing
            Freeze freeze = service.freeze(from, to, form.scope(), form.reason(), errors);
            redirect.addFlashAttribute(
                    "flash",
                    "Freeze declared from " + freeze.from() + " until " + freeze.to() + ": " + freeze.reason()
                            + (moved.isEmpty() ? "" : " (" + String.join("; ", moved) + ")"));
            return redirect(htmx, "/freezes");
        } catch (InvalidInputException invalid) {
            Map<String, String> shown = new LinkedHashMap<>();
            invalid.errors().forEach(e -> shown.putIfAbsent(e.field(), e.message()));
            Refusals.status(response, invalid);
            freezePage(form, shown, model);
            return htmx.isHtmxRequest() ? "calendars/freezes :: freeze-form" : "calendars/freezes";
        }
    }

    @PostMapping("/freezes/{id}/end")
    String endFreeze(
            @PathVariable UUID id,
            HtmxRequest htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        CalendarService.Ended ended;
        try {
            ended = service.unfreeze(id);
        } catch (ConflictException | NotFoundException stale) {
            // a page read before the freeze ended, or before someone else ended or withdrew it
            String message = "Not ended: " + stale.getMessage();
            if (htmx.isHtmxRequest()) {
                return Refusals.page(request, response, model, stale, message);
            }
            redirect.addFlashAttribute("refusal", message);
            return "redirect:/freezes";
        }
        redirect.addFlashAttribute(
                "flash",
                ended.at() == null
                        ? "Freeze withdrawn before it began: '" + ended.freeze().reason() + "'"
                        : "Freeze ended: slots run again from now on; the slots it skipped stay blocked for backfills");
        return redirect(htmx, "/freezes");
    }

    private String freezePage(FreezeForm form, Map<String, String> errors, Model model) {
        model.addAttribute("freezes", service.freezes());
        model.addAttribute("now", clock.instant());
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        return "calendars/freezes";
    }

    /**
     * The calendar form: {@code editing} names the calendar of {@code namespace} being edited (null: a new one, whose
     * namespace the reader picks among those they may manage).
     */
    private String form(CalendarForm form, String namespace, String editing, Map<String, String> errors, Model model) {
        model.addAttribute("form", form);
        model.addAttribute("editing", editing);
        model.addAttribute("editingNamespace", namespace);
        model.addAttribute("action", editing == null ? "/calendars/new" : CalendarPaths.page(namespace, editing));
        model.addAttribute("mayChange", editing == null || service.mayManage(namespace));
        model.addAttribute("mayCreateGlobal", service.mayManage(null));
        model.addAttribute("ownedNamespaces", service.managedNamespaces());
        model.addAttribute("errors", errors);
        return "calendars/form";
    }

    private String refused(
            CalendarForm form,
            String namespace,
            String editing,
            InvalidInputException invalid,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model) {
        Refusals.status(response, invalid);
        Map<String, String> errors = new LinkedHashMap<>();
        for (FieldError error : invalid.errors()) {
            Matcher indexed = INDEXED.matcher(error.field());
            if (indexed.matches()) {
                String part = indexed.group(3) == null ? "" : " (" + indexed.group(3) + ")";
                errors.merge(
                        indexed.group(1),
                        where(form, indexed.group(1), Integer.parseInt(indexed.group(2))) + part + ": "
                                + error.message(),
                        (a, b) -> a + "; " + b);
            } else {
                errors.merge(error.field().replaceAll("\\[.*$", ""), error.message(), (a, b) -> a + "; " + b);
            }
        }
        CalendarForm shown = new CalendarForm(
                form.name(),
                editing == null ? form.namespace() : namespace == null ? "" : namespace,
                form.timezone(),
                form.description(),
                form.dates(),
                form.ranges(),
                form.weekly(),
                icsText(form),
                null);
        form(shown, namespace, editing, errors, model);
        return htmx.isHtmxRequest() ? "calendars/form :: calendar-form" : "calendars/form";
    }

    /** The calendar the form describes; lines that are not a range or window are sent as they are, to be named. */
    private static CalendarSpec spec(CalendarForm form, String namespace, String name) {
        return new CalendarSpec(
                name == null ? form.name() : name,
                namespace,
                form.timezone(),
                form.description() == null || form.description().isBlank() ? null : form.description(),
                lines(form.dates()),
                windows(form.ranges(), RANGE),
                windows(form.weekly(), WEEKLY),
                icsText(form),
                null,
                null,
                null);
    }

    private static String icsText(CalendarForm form) {
        MultipartFile file = form.icsFile();
        if (file != null && !file.isEmpty()) {
            try {
                return new String(file.getBytes(), StandardCharsets.UTF_8);
            } catch (IOException unreadable) {
                throw new InvalidInputException("ics", "the uploaded file could not be read");
            }
        }
        return form.ics() == null || form.ics().isBlank() ? null : form.ics();
    }

    private static List<String> lines(String text) {
        if (text == null) {
            return List.of();
        }
        return Arrays.stream(text.split("[\\r\\n,]+"))
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
    }

    /**
     * Where the {@code index}-th entry of a list field is in the form's text: its line (blank lines count, as the
     * reader sees them) and, for a line of several dates, the entry itself.
     */
    static String where(CalendarForm form, String field, int index) {
        String text = switch (field) {
            case "dates" -> form.dates();
            case "ranges" -> form.ranges();
            case "weekly" -> form.weekly();
            default -> null;
        };
        if (text != null) {
            String[] lines = text.split("\r?\n|\r", -1);
            int seen = 0;
            for (int line = 0; line < lines.length; line++) {
                List<String> entries = field.equals("dates")
                        ? Arrays.stream(lines[line].split(","))
                                .map(String::strip)
                                .filter(e -> !e.isEmpty())
                                .toList()
                        : lines[line].isBlank() ? List.of() : List.of(lines[line].strip());
                if (index < seen + entries.size()) {
                    return "line " + (line + 1) + (entries.size() > 1 ? ", '" + entries.get(index - seen) + "'" : "");
                }
                seen += entries.size();
            }
        }
        return "entry " + (index + 1);
    }

    private static List<CalendarSpec.Window> windows(String text, Pattern pattern) {
        if (text == null) {
            return List.of();
        }
        return Arrays.stream(text.split("[\\r\\n]+"))
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .map(line -> {
                    Matcher m = pattern.matcher(line);
                    return m.matches()
                            ? new CalendarSpec.Window(
                                    m.group(1).strip(), m.group(2).strip())
                            : new CalendarSpec.Window(line, null);
                })
                .toList();
    }

    private static ZoneId zone(String text, List<FieldError> errors) {
        return TimeZones.parse(text, "timezone", errors).orElse(null);
    }

    /** A local date-time of the form in its zone, as the API's instant text. */
    private static String instant(String text, ZoneId zone, String field, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            // a time in a DST gap as schedules read it: the first instant after the gap
            return LocalTimes.resolve(IsoTimes.localDateTime(text.strip()), zone)
                    .toString();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "must be a date and time like 2026-12-20T18:00"));
            return null;
        }
    }

    /** The calendar's range times that fall in a DST gap and how they were read, for the flash; empty if none. */
    private static String moved(CalendarSpec calendar) {
        List<String> notes = CalendarRules.gapNotes(calendar);
        return notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")";
    }

    /** How a local time of the form in a DST gap was read, if it is in one. */
    private static java.util.Optional<String> gapNote(String text, ZoneId zone) {
        try {
            return java.util.Optional.ofNullable(
                    text == null || text.isBlank()
                            ? null
                            : LocalTimes.gapNote(IsoTimes.localDateTime(text.strip()), zone));
        } catch (DateTimeParseException bad) {
            return java.util.Optional.empty();
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static String redirect(HtmxRequest htmx, String path) {
        return (htmx.isHtmxRequest() ? "redirect:htmx:" : "redirect:") + path;
    }
}
