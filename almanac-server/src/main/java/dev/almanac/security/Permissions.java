package dev.almanac.security;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.internal.ApiTokenAuthentication;
import dev.almanac.security.internal.Role;
import dev.almanac.template.InstallationWide;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The role rules that depend on what is acted on, checked by the controllers before they change anything (the
 * filter chain has already let only admins, super admins and namespace members in). An {@code ADMIN} may create,
 * change, enable, disable, delete and run jobs, and cancel their executions, only for templates that are not
 * destructive; a {@code SUPER_ADMIN} may do all of it for every template; a namespace member what their role there
 * allows ({@link NamespaceAccess}). The namespace is the one of the job or execution acted on. A refusal is a 403 and
 * an {@code access.denied} event; an object in a namespace the actor may not see is a 404, as if it did not exist.
 */
@Component
public class Permissions {

    /** The action, as a refusal says it, of a run with parameters of its own: it needs the right to change the job. */
    static final String RUN_WITH_OTHER_PARAMETERS = "run its jobs with other parameters";

    private final TemplateRegistry templates;
    private final AuditTrail audit;
    private final NamespaceAccess namespaces;
    private final NamespaceQuotas quotas;

    Permissions(TemplateRegistry templates, AuditTrail audit, NamespaceAccess namespaces, NamespaceQuotas quotas) {
        this.templates = templates;
        this.audit = audit;
        this.namespaces = namespaces;
        this.quotas = quotas;
    }

    /**
     * An action that needs the right to run a job but starts nothing (a backfill's preview): no manual-run quota is
     * spent or checked, so a used-up quota never hides what a backfill would do.
     */
    public static final String PREVIEW_RUNS = "preview runs";

    /**
     * Refuses the current actor an action on a job of {@code templateType} unless they may act on that template.
     *
     * @param action what is being done, for the message and the audit trail: {@code create}, {@code update},
     *     {@code delete}, {@code run}, {@code cancel}
     * @param target the job or execution acted on
     */
    public void requireMayActOn(String templateType, String action, AuditTrail.Target target) {
        String namespace = namespaceOf(target);
        NamespaceAccess.Action needed = needed(templateType, action);
        if (namespaces.may(namespace, needed)) {
            String beyond = beyondNamespace(templateType, namespace);
            if (beyond != null) {
                audit.record(
                        AuditTrail.currentActorName(),
                        "access.denied",
                        AuditTrail.DENIED,
                        target,
                        Map.of("action", action, "template_type", templateType, "reason", beyond));
                throw new ForbiddenException(beyond);
            }
            if ("run".equals(action) && namespace != null) {
                quotas.requireManualRunRoom(namespace);
            }
            return;
        }
        if (!namespaces.may(namespace, NamespaceAccess.Action.READ)) {
            // hidden like a missing one: the same answer as for an id nobody has
            throw new NotFoundException(
                    target == null || target.id() == null
                            ? "no namespace named '" + namespace + "'"
                            : "no " + target.type() + " with id " + target.id());
        }
        if (namespaces.roleIn(namespace).isPresent()) {
            throw namespaces.denied(namespace, needed, onJobs(action), target);
        }
        boolean saysJobs = action.contains("jobs");
        String reason = has(Role.ADMIN)
                ? "template '" + templateType + "' is destructive: only a super admin may " + action
                        + (saysJobs ? "" : " its jobs")
                : "your role may not " + action + (saysJobs ? "" : " jobs");
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                target,
                Map.of("action", action, "template_type", String.valueOf(templateType), "reason", reason));
        throw new ForbiddenException(reason);
    }

    /**
     * Why the current actor may not act on a job of {@code templateType} in {@code namespace} because there it acts on
     * the whole installation ({@link InstallationWide}) and they are not a super admin; null when that is no obstacle.
     */
    private String beyondNamespace(String templateType, String namespace) {
        if (has(Role.SUPER_ADMIN)
                || !templates
                        .find(templateType)
                        .map(t -> InstallationWide.actsOnInstallation(t, namespace))
                        .orElse(false)) {
            return null;
        }
        return "A job of template '" + templateType + "' in namespace '" + namespace
                + "' acts on every namespace of the installation, so only a super admin may create, change or run"
                + " it; in any other namespace it acts on that namespace only.";
    }

    /** The action on a namespace's jobs as a refusal says it: {@code run its jobs}, {@code create jobs}. */
    private static String onJobs(String action) {
        return switch (action) {
            case "create" -> "create jobs";
            case "cancel" -> "cancel the runs of its jobs";
            case PREVIEW_RUNS -> "plan runs of its jobs";
            case RUN_WITH_OTHER_PARAMETERS -> action;
            default -> action + " its jobs";
        };
    }

    /**
     * Refuses parameters given for one run of a job (its "Run now…" form, the API's {@code parameters}) to whoever
     * may not change the job: they replace its targets, tables, recipients and bodies, and the job's stored secrets
     * go wherever they point. Whoever may only run a job runs it as its editors defined it. A 403 naming {@code
     * parameters}, recorded as {@code access.denied}.
     */
    public void requireMayRunWithOtherParameters(String templateType, AuditTrail.Target target) {
        try {
            requireMayActOn(templateType, RUN_WITH_OTHER_PARAMETERS, target);
        } catch (ForbiddenException refused) {
            throw new ForbiddenException("parameters", refused.getMessage());
        }
    }

    /**
     * The namespace a job or execution acted on belongs to: its own; {@code default} for a job not saved yet that
     * names none; null for an execution whose job was deleted.
     */
    private String namespaceOf(AuditTrail.Target target) {
        String namespace = audit.namespaceOf(target);
        if (namespace == null && (target == null || target.id() == null)) {
            return Namespace.DEFAULT;
        }
        return namespace;
    }

    /** Anything done to a destructive template's job, running it included, needs an owner (or a super admin). */
    private NamespaceAccess.Action needed(String templateType, String action) {
        if (destructive(templateType)) {
            return NamespaceAccess.Action.EDIT_DESTRUCTIVE;
        }
        return "run".equals(action) || "cancel".equals(action) || PREVIEW_RUNS.equals(action)
                ? NamespaceAccess.Action.RUN
                : NamespaceAccess.Action.EDIT;
    }

    private boolean destructive(String templateType) {
        return templates
                .find(templateType)
                .map(JobTemplate::descriptor)
                .map(d -> d.destructive())
                .orElse(false);
    }

    /**
     * Whether the current actor may create jobs of {@code templateType} in one of their namespaces: what the templates
     * pages ask to offer "Create a job", or show it disabled with {@link #whyMayNotCreate}.
     */
    public boolean mayActOn(String templateType) {
        if (has(Role.SUPER_ADMIN)) {
            return true;
        }
        if (has(Role.ADMIN)) {
            return !destructive(templateType);
        }
        // a namespace member: where their role allows it in one of their namespaces
        NamespaceAccess.Action needed = needed(templateType, "create");
        return namespaces.visible().names().stream()
                .anyMatch(namespace ->
                        namespaces.may(namespace, needed) && beyondNamespace(templateType, namespace) == null);
    }

    /**
     * Whether the current actor may create a job at all: a global admin, or an editor or owner of some namespace. A
     * reader who is only a viewer is offered no "New job", whose every template would be disabled.
     */
    public boolean mayCreateJobs() {
        return has(Role.SUPER_ADMIN)
                || has(Role.ADMIN)
                || namespaces.visible().names().stream()
                        .anyMatch(namespace -> namespaces.may(namespace, NamespaceAccess.Action.EDIT));
    }

    /** Why the current actor may not create jobs of {@code templateType} anywhere, as pages say; null if they may. */
    public String whyMayNotCreate(String templateType) {
        if (mayActOn(templateType)) {
            return null;
        }
        boolean editsSomewhere = has(Role.ADMIN)
                || namespaces.visible().names().stream()
                        .anyMatch(namespace -> namespaces.may(namespace, NamespaceAccess.Action.EDIT));
        return editsSomewhere
                ? "needs a super admin or an owner of the namespace: this template is destructive"
                : "creating jobs needs an editor's or an owner's role in a namespace";
    }

    /** Whether the current actor may create or change jobs of {@code templateType} in {@code namespace}. */
    public boolean mayActOn(String templateType, String namespace) {
        return namespaces.may(namespace, needed(templateType, "create"))
                && beyondNamespace(templateType, namespace) == null;
    }

    /**
     * What the current actor may do to a job of {@code templateType} in {@code namespace}, as the pages offer it: run
     * it (and cancel its runs), change it (enable, disable, edit, clone, delete, pause), each with the reason when not.
     */
    public JobActions onJob(String templateType, String namespace) {
        return new JobActions(whyNot(templateType, namespace, "run"), whyNot(templateType, namespace, "update"));
    }

    /** Whether the current actor may cancel the runs of a job of {@code templateType} acted on as {@code target}. */
    public boolean mayCancel(String templateType, AuditTrail.Target target) {
        return namespaces.may(namespaceOf(target), needed(templateType, "cancel"));
    }

    /**
     * What a reader may do to one job, each refusal with the reason a page shows beside the disabled action.
     *
     * @param whyNotRun null when they may run it and cancel its runs (and dry-run it)
     * @param whyNotChange null when they may enable, disable, edit, clone, pause or delete it, or run it with other
     *     parameters (Run now…)
     */
    public record JobActions(String whyNotRun, String whyNotChange) {

        public boolean run() {
            return whyNotRun == null;
        }

        public boolean change() {
            return whyNotChange == null;
        }

        /** Whether they may run it with parameters of their own ("Run now…"): run it and change it. */
        public boolean runWithOtherParameters() {
            return run() && change();
        }

        /** The one line under the disabled actions: which of them are refused, and why; null when none is. */
        public String summary() {
            if (change()) {
                return run() ? null : "Run now and Dry run: " + whyNotRun;
            }
            return run()
                    ? "Run now…, enable, disable, edit, clone and delete: " + whyNotChange
                    : "This job: " + whyNotChange;
        }
    }

    /**
     * Why the current actor may not do {@code action} to a job of {@code templateType} in {@code namespace}, said by
     * what stands in the way (the template, or their role there); null when they may.
     */
    private String whyNot(String templateType, String namespace, String action) {
        NamespaceAccess.Action needed = needed(templateType, action);
        if (namespaces.may(namespace, needed)) {
            return beyondNamespace(templateType, namespace);
        }
        if (needed == NamespaceAccess.Action.EDIT_DESTRUCTIVE) {
            return "needs a super admin or an owner of namespace '" + namespace + "': this template is destructive";
        }
        String role = namespaces
                .roleIn(namespace)
                .map(r -> "your role in namespace '" + namespace + "' (" + r.json() + ")")
                .orElse("your role");
        return namespaces.may(namespace, NamespaceAccess.Action.RUN)
                ? role + " may run its jobs, not create or change them"
                : role + " may only read its jobs";
    }

    /** Refuses anyone but a super admin. */
    public void requireSuperAdmin(String action, AuditTrail.Target target) {
        if (has(Role.SUPER_ADMIN)) {
            return;
        }
        String reason = "only a super admin may " + action;
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                target,
                Map.of("action", action, "reason", reason));
        throw new ForbiddenException(reason);
    }

    /**
     * Refuses anyone without a global role (an admin or a super admin): what is shared by every namespace, such as a
     * calendar, is not for one team's members to change.
     */
    public void requireGlobalAdmin(String action, AuditTrail.Target target) {
        if (has(Role.ADMIN) || has(Role.SUPER_ADMIN)) {
            return;
        }
        throw refused(action, target, "only an admin may " + action + ": it is shared by every namespace");
    }

    /**
     * Refuses a token limited to namespaces what every namespace shares (the global calendars, the freezes, the global
     * scripts): it carries no global role, whoever owns it. A 403, recorded as {@code access.denied}.
     *
     * @param action as the message says it: {@code read the freezes}, {@code read a global script}
     */
    public void requireNotLimitedToNamespaces(String action, AuditTrail.Target target) {
        if (!limitedToNamespaces()) {
            return;
        }
        throw refused(
                action,
                target,
                "a token limited to namespaces may not " + action + ": it is shared by every namespace");
    }

    /** A refusal of {@code action}, recorded as {@code access.denied} with its reason. */
    private ForbiddenException refused(String action, AuditTrail.Target target, String reason) {
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                target,
                Map.of("action", action, "reason", reason));
        return new ForbiddenException(reason);
    }

    /** Whether the request came with an API token limited to namespaces, which carries no global role. */
    public static boolean limitedToNamespaces() {
        return SecurityContextHolder.getContext().getAuthentication() instanceof ApiTokenAuthentication token
                && token.namespaceLimit() != null;
    }

    public static boolean has(Role role) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null) {
            return false;
        }
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            if (role.authority().equals(authority.getAuthority())) {
                return true;
            }
        }
        return false;
    }
}
