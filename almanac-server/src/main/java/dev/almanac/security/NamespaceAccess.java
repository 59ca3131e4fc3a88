package dev.almanac.security;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ForbiddenException;
import dev.almanac.security.internal.ApiTokenAuthentication;
import dev.almanac.security.internal.NamespaceRepository;
import dev.almanac.security.internal.Role;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The one answer to "may the current user do this in that namespace" and "which namespaces may they see". {@code
 * SUPER_ADMIN} may do everything everywhere. A global {@code ADMIN} keeps what it could do before namespaces: read
 * everything, and create, change, run and cancel jobs of templates that are not destructive, in every namespace (an
 * editor everywhere). A {@code USER} may do only what the roles they hold per namespace allow ({@link NamespaceRole});
 * with none, nothing, as before. A namespace the user may not see is answered like one that does not exist (404),
 * so its names and ids do not leak. An API token limited to some namespaces carries no global role: its owner's
 * reach is cut to those namespaces, a super admin being an owner there and a global admin an editor.
 */
@Component
public class NamespaceAccess {

    private static final String ROLES = NamespaceAccess.class.getName() + ".roles";

    /** What is done in a namespace; each {@link NamespaceRole} allows some. */
    public enum Action {
        READ,
        RUN,
        EDIT,
        EDIT_DESTRUCTIVE,
        MANAGE
    }

    /** The namespaces a user may see: every one, or these. */
    public record Scope(boolean all, Set<String> names) {

        public boolean includes(String namespace) {
            return all || (namespace != null && names.contains(namespace));
        }

        /**
         * What a list shows for the filter {@code requested} (null: no filter): null for no restriction, else the
         * namespaces to keep, empty when the filter names one the user may not see.
         */
        public Set<String> restrict(String requested) {
            if (requested != null) {
                return includes(requested) ? Set.of(requested) : Set.of();
            }
            return all ? null : names;
        }
    }

    private final NamespaceRepository namespaces;
    private final AuditTrail audit;

    NamespaceAccess(NamespaceRepository namespaces, AuditTrail audit) {
        this.namespaces = namespaces;
        this.audit = audit;
    }

    /** The namespaces the current user may see. */
    public Scope visible() {
        if (global()) {
            return new Scope(true, Set.of());
        }
        return new Scope(false, new TreeSet<>(roles().keySet()));
    }

    /** The current user's own role in {@code namespace}, if they hold one (a global role is not one). */
    public Optional<NamespaceRole> roleIn(String namespace) {
        return Optional.ofNullable(roles().get(namespace));
    }

    /**
     * Whether the current user may do {@code action} in {@code namespace}. A null namespace (an execution whose job
     * was deleted) is readable only by the global roles.
     */
    public boolean may(String namespace, Action action) {
        if (Permissions.has(Role.SUPER_ADMIN)) {
            return true;
        }
        if (Permissions.has(Role.ADMIN) && action != Action.EDIT_DESTRUCTIVE && action != Action.MANAGE) {
            return true;
        }
        if (namespace == null) {
            return false;
        }
        NamespaceRole role = roles().get(namespace);
        return role != null && role.allows(action);
    }

    /**
     * Whether {@code namespace} exists and was created no later than {@code at}: what something saved in a namespace
     * of that name at {@code at} needs to belong to this one rather than to a deleted namesake.
     */
    public boolean heldSince(String namespace, java.time.Instant at) {
        return namespaces.find(namespace).map(n -> !n.createdAt().isAfter(at)).orElse(false);
    }

    /** Refuses, as {@code hidden} (a 404 naming the object), what lives in a namespace the user may not see. */
    public void requireVisible(String namespace, Supplier<? extends RuntimeException> hidden) {
        if (!may(namespace, Action.READ)) {
            throw hidden.get();
        }
    }

    /**
     * Refuses {@code action} in {@code namespace}: as {@code hidden} when the user may not even see it, else with a
     * 403 naming their role, recorded as {@code access.denied}.
     *
     * @param what what is refused, as a whole verb phrase that follows "may not" in the message and ends it: {@code
     *     change its members}, {@code pause it}, {@code write scripts}; the namespace is named before it
     */
    public void require(
            String namespace,
            Action action,
            String what,
            AuditTrail.Target target,
            Supplier<? extends RuntimeException> hidden) {
        requireVisible(namespace, hidden);
        if (may(namespace, action)) {
            return;
        }
        throw denied(namespace, action, what, target);
    }

    /**
     * The 403 for {@code action} in a namespace the user may see, recorded in the audit trail; {@code what} as for
     * {@link #require}.
     */
    ForbiddenException denied(String namespace, Action action, String what, AuditTrail.Target target) {
        String role = roleIn(namespace)
                .map(r -> "your role '" + r.json() + "'")
                .orElse(Permissions.has(Role.ADMIN) ? "the role ADMIN" : "your role");
        String reason = action == Action.EDIT_DESTRUCTIVE
                ? "the template is destructive: " + role + " in namespace '" + namespace + "' may not " + what
                        + "; an owner of the namespace or a super admin may"
                : role + " in namespace '" + namespace + "' may not " + what;
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                target == null ? null : AuditTrail.Target.of(target.type(), target.id(), target.name(), namespace),
                Map.of("action", what, "namespace", namespace, "reason", reason));
        return new ForbiddenException(reason);
    }

    /** Whether a namespace of this name exists, visible or not: what a job's validation asks. */
    public boolean exists(String namespace) {
        return namespaces.find(namespace).isPresent();
    }

    /** Whether the current user sees every namespace (a super admin or a global admin). */
    public boolean global() {
        return Permissions.has(Role.SUPER_ADMIN) || Permissions.has(Role.ADMIN);
    }

    /** Drops the roles this request read: it has just changed someone's. */
    public static void rolesChanged() {
        PerRequest.forget(ROLES);
    }

    private Map<String, NamespaceRole> roles() {
        String user = CurrentActor.name();
        if (CurrentActor.ANONYMOUS.equals(user)) {
            return Map.of();
        }
        // a page asks once per row (may this reader run, change, delete it?): one read of the roles per request
        Map<String, Map<String, NamespaceRole>> read = PerRequest.once(ROLES, HashMap::new);
        Map<String, NamespaceRole> own = read.computeIfAbsent(user, namespaces::rolesOf);
        if (!(SecurityContextHolder.getContext().getAuthentication() instanceof ApiTokenAuthentication token)
                || token.namespaceLimit() == null) {
            return own;
        }
        Map<String, NamespaceRole> limited = new LinkedHashMap<>();
        for (String namespace : new TreeSet<>(token.namespaceLimit())) {
            NamespaceRole role = switch (token.ownerRole()) {
                case SUPER_ADMIN -> NamespaceRole.OWNER;
                case ADMIN -> own.get(namespace) == NamespaceRole.OWNER ? NamespaceRole.OWNER : NamespaceRole.EDITOR;
                case USER -> own.get(namespace);
            };
            if (role != null) {
                limited.put(namespace, role);
            }
        }
        return limited;
    }
}
