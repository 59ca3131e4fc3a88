package dev.almanac.security;

import dev.almanac.security.internal.NamespaceRepository;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which namespaces are paused, for the engine, which asks for every due slot. The pauses are read at most once a
 * {@link #REFRESH} and at once after a pause or resume on this node, so a pause set on another node holds here within
 * that time.
 */
@Component
public class NamespacePauses {

    static final long REFRESH = 1_000_000_000L;

    private record Snapshot(Map<String, NamespacePause> pauses, long readAt) {}

    private final NamespaceRepository namespaces;
    private volatile Snapshot snapshot;

    NamespacePauses(NamespaceRepository namespaces) {
        this.namespaces = namespaces;
    }

    /** The pause that holds {@code namespace} at {@code at}, if one does (none for no namespace yet: a new draft). */
    public Optional<NamespacePause> at(String namespace, Instant at) {
        NamespacePause pause = namespace == null ? null : current().get(namespace);
        return pause != null && pause.holdsAt(at) ? Optional.of(pause) : Optional.empty();
    }

    /** The namespaces a pause holds at {@code at}. */
    public java.util.Set<String> pausedAt(Instant at) {
        return current().values().stream()
                .filter(p -> p.holdsAt(at))
                .map(NamespacePause::namespace)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Reads the pauses again at the next question: one was just set or lifted. */
    public void forget() {
        snapshot = null;
    }

    private Map<String, NamespacePause> current() {
        Snapshot seen = snapshot;
        long now = System.nanoTime();
        if (seen == null || now - seen.readAt() >= REFRESH) {
            seen = new Snapshot(namespaces.pauses(), now);
            snapshot = seen;
        }
        return seen.pauses();
    }
}
