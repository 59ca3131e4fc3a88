package dev.almanac.engine.internal.store;

import dev.almanac.engine.internal.store.EngineStore.Claimed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The namespaces' {@code runs_at_once} quotas as a claim meets them (issue #20). A namespace holds a slot for each of
 * its runs that is running, or claimed ahead by a node (queued with a host); a claim takes a namespace's queued runs
 * only up to its free slots, and the rest stay queued, not failed. Both stores lock the quota namespaces' rows for
 * the claim's transaction (one namespace's claims count one after the other, so two nodes cannot both take its last
 * slot) and count what they hold; this record is what they found.
 *
 * @param room each quota namespace's free slots (0 or less: full)
 */
record RunsAtOnce(Map<String, Integer> room) {

    /** No namespace has the quota: a claim takes what is due, with no count. */
    static final RunsAtOnce NONE = new RunsAtOnce(Map.of());

    /** From each quota namespace's quota and the runs it holds (absent: none). */
    static RunsAtOnce of(Map<String, Integer> quotas, Map<String, Integer> held) {
        Map<String, Integer> room = new HashMap<>();
        quotas.forEach((namespace, quota) -> room.put(namespace, quota - held.getOrDefault(namespace, 0)));
        return new RunsAtOnce(Map.copyOf(room));
    }

    /**
     * Reads where the quota namespaces stand: {@code quotas} selects each quota namespace's name and quota (locking
     * them, for a claim), {@code held} counts the slots each holds, with its {@code :namespaces} bound as {@code
     * namespaces} makes a list for the database. No quota, one statement.
     */
    static RunsAtOnce read(JdbcClient jdbc, String quotas, String held, Function<Set<String>, Object> namespaces) {
        Map<String, Integer> quota = new LinkedHashMap<>();
        jdbc.sql(quotas).query(rs -> {
            quota.put(rs.getString(1), rs.getInt(2));
        });
        if (quota.isEmpty()) {
            return NONE;
        }
        Map<String, Integer> holding = new HashMap<>();
        jdbc.sql(held).param("namespaces", namespaces.apply(quota.keySet())).query(rs -> {
            holding.put(rs.getString(1), rs.getInt(2));
        });
        return of(quota, holding);
    }

    boolean none() {
        return room.isEmpty();
    }

    /** The namespaces with no free slot: the claim passes over their runs. */
    Set<String> full() {
        return room.entrySet().stream()
                .filter(e -> e.getValue() <= 0)
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Keeps, in claim order, the runs within their namespace's free slots (a namespace with no quota: all); the
     * others were locked by the claim but stay queued. {@code namespaces} holds each run's namespace, in the same
     * order (null: its job is gone, no quota).
     */
    List<Claimed> within(List<Claimed> locked, List<String> namespaces) {
        Map<String, Integer> left = new HashMap<>(room);
        List<Claimed> kept = new ArrayList<>(locked.size());
        for (int i = 0; i < locked.size(); i++) {
            String namespace = namespaces.get(i);
            Integer free = namespace == null ? null : left.get(namespace);
            if (free == null) {
                kept.add(locked.get(i));
            } else if (free > 0) {
                left.put(namespace, free - 1);
                kept.add(locked.get(i));
            }
        }
        return kept;
    }
}
