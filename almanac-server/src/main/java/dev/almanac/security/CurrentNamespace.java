package dev.almanac.security;

import dev.almanac.common.NamespaceSelection;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.internal.NamespaceRepository;
import dev.almanac.security.internal.UserRepository;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The namespace switcher of the UI's header: the namespaces the reader may see, the one they picked (kept per user in
 * the database, so it follows them across sessions and nodes) and what the lists keep for it. A picked namespace the
 * reader may no longer see counts as "all". The layout reads it as {@code @currentNamespace}.
 */
@Component("currentNamespace")
public class CurrentNamespace implements NamespaceSelection {

    private static final String SELECTED = CurrentNamespace.class.getName() + ".selected";
    private static final String OPTIONS = CurrentNamespace.class.getName() + ".options";

    private final NamespaceAccess access;
    private final NamespaceRepository namespaces;
    private final UserRepository users;

    CurrentNamespace(NamespaceAccess access, NamespaceRepository namespaces, UserRepository users) {
        this.access = access;
        this.namespaces = namespaces;
        this.users = users;
    }

    /** The namespaces the reader may see, by name: what the switcher offers. */
    public List<Namespace> options() {
        return PerRequest.once(OPTIONS, () -> {
            NamespaceAccess.Scope scope = access.visible();
            return namespaces.all().stream()
                    .filter(n -> scope.includes(n.name()))
                    .toList();
        });
    }

    /** Whether the reader may work in the scheduler's pages at all: a global role, or a role in some namespace. */
    public boolean opensScheduler() {
        return access.global() || !access.visible().names().isEmpty();
    }

    /** Whether the switcher offers "all namespaces": to whoever may see more than one. */
    public boolean offersAll() {
        return access.global() || access.visible().names().size() > 1;
    }

    @Override
    public String selected() {
        String user = CurrentActor.name();
        if (CurrentActor.ANONYMOUS.equals(user)) {
            return null;
        }
        // a page asks in its controller, its layout and its body: one read of the database per request
        Optional<String> picked = PerRequest.once(SELECTED, () -> users.currentNamespace(user));
        return picked.isPresent() && access.visible().includes(picked.get()) ? picked.get() : null;
    }

    @Override
    public Set<String> scope() {
        return access.visible().restrict(selected());
    }

    /** Remembers {@code namespace} (null or blank: all) for the reader; one they may not see is a 404. */
    public void select(String namespace) {
        String picked = namespace == null || namespace.isBlank() ? null : namespace.strip();
        if (picked != null
                && (!access.visible().includes(picked)
                        || namespaces.find(picked).isEmpty())) {
            throw new NotFoundException("no namespace named '" + picked + "'");
        }
        users.setCurrentNamespace(CurrentActor.name(), picked);
        PerRequest.forget(SELECTED);
    }
}
