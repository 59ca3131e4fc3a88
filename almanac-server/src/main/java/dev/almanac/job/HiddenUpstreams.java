package dev.almanac.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which entries of a request sent back as read keep an upstream the user may not see: such an upstream, named by its
 * id or as {@link JobService#HIDDEN_JOB}, is only ever kept as stored, never added. An entry keeps one in the list it
 * is stored in ({@code depends_on} or the triggers), at most as often as stored there, and a trigger only with its
 * stored {@code on} and condition: a new condition could read the hidden job's name and results. Triggers are matched
 * by those fields, never by position; placeholders that could stand for different stored jobs keep none. An entry that
 * keeps nothing is validated as it is, and refused as a job that does not exist.
 */
final class HiddenUpstreams {

    /** The stored upstreams kept, by the index of the request's entry that keeps each. */
    record Kept(Map<Integer, JobId> dependencies, Map<Integer, Trigger> triggers, Set<String> names) {

        static final Kept NONE = new Kept(Map.of(), Map.of(), Set.of());

        Kept {
            dependencies = Map.copyOf(dependencies);
            triggers = Map.copyOf(triggers);
            names = Set.copyOf(names);
        }

        /** These, with the names {@code {{upstream.<name>...}}} gives the jobs kept. */
        Kept named(Set<String> upstreamNames) {
            return new Kept(dependencies, triggers, upstreamNames);
        }

        boolean isEmpty() {
            return dependencies.isEmpty() && triggers.isEmpty();
        }
    }

    private HiddenUpstreams() {}

    /**
     * The entries of {@code dependsOn} and {@code triggers} that keep one of the stored upstreams the user may not see.
     *
     * @param storedDependencies the job's stored {@code depends_on} upstreams the user may not see
     * @param storedTriggers the job's stored triggers on upstreams the user may not see, in their stored order
     * @param placeholders whether {@link JobService#HIDDEN_JOB} may stand for one (a rollback names them by id only)
     */
    static Kept kept(
            List<JobId> storedDependencies,
            List<Trigger> storedTriggers,
            List<String> dependsOn,
            List<JobRequest.TriggerJson> triggers,
            boolean placeholders) {
        if (storedDependencies.isEmpty() && storedTriggers.isEmpty()) {
            return Kept.NONE;
        }
        return new Kept(
                dependencies(storedDependencies, dependsOn == null ? List.of() : dependsOn, placeholders),
                triggers(storedTriggers, triggers == null ? List.of() : triggers, placeholders),
                Set.of());
    }

    private static Map<Integer, JobId> dependencies(List<JobId> stored, List<String> entries, boolean placeholders) {
        Map<Integer, JobId> kept = new LinkedHashMap<>();
        List<JobId> left = new ArrayList<>(stored);
        List<Integer> unnamed = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (placeholders && isPlaceholder(entry)) {
                unnamed.add(i);
            } else if (entry != null) {
                Optional<JobId> id = JobId.parse(entry.strip());
                if (id.isPresent() && left.remove(id.get())) {
                    kept.put(i, id.get());
                }
            }
        }
        pair(unnamed, left, kept);
        return kept;
    }

    private static Map<Integer, Trigger> triggers(
            List<Trigger> stored, List<JobRequest.TriggerJson> entries, boolean placeholders) {
        Map<Integer, Trigger> kept = new LinkedHashMap<>();
        List<Trigger> left = new ArrayList<>(stored);
        Map<Fields, List<Integer>> unnamed = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            JobRequest.TriggerJson entry = entries.get(i);
            Optional<Fields> fields = Fields.of(entry);
            if (fields.isEmpty()) {
                continue;
            }
            if (placeholders && isPlaceholder(entry.job())) {
                unnamed.computeIfAbsent(fields.get(), f -> new ArrayList<>()).add(i);
                continue;
            }
            Optional<JobId> id =
                    JobId.parse(entry.job() == null ? "" : entry.job().strip());
            if (id.isEmpty()) {
                continue;
            }
            for (Trigger t : left) {
                if (t.job().equals(id.get()) && fields.get().match(t)) {
                    left.remove(t);
                    kept.put(i, t);
                    break;
                }
            }
        }
        unnamed.forEach((fields, indexes) ->
                pair(indexes, left.stream().filter(fields::match).toList(), kept));
        return kept;
    }

    /**
     * Pairs placeholders with the stored upstreams they may stand for, in order: all of them when the counts agree or
     * when every candidate is the same job; none when which one a placeholder keeps would be a guess.
     */
    private static <T> void pair(List<Integer> placeholders, List<T> candidates, Map<Integer, T> kept) {
        if (placeholders.isEmpty() || candidates.isEmpty()) {
            return;
        }
        boolean oneJob =
                candidates.stream().map(HiddenUpstreams::jobOf).distinct().count() == 1;
        if (placeholders.size() != candidates.size() && !oneJob) {
            return;
        }
        for (int k = 0; k < Math.min(placeholders.size(), candidates.size()); k++) {
            kept.put(placeholders.get(k), candidates.get(k));
        }
    }

    private static Object jobOf(Object candidate) {
        return candidate instanceof Trigger t ? t.job() : candidate;
    }

    private static boolean isPlaceholder(String entry) {
        return entry != null && entry.strip().equals(JobService.HIDDEN_JOB);
    }

    /** What a trigger says besides its job, as the validator reads it: {@code on} defaults to succeeded. */
    private record Fields(Trigger.On on, String condition) {

        static Optional<Fields> of(JobRequest.TriggerJson json) {
            if (json == null) {
                return Optional.empty();
            }
            String on = json.on() == null ? null : json.on().strip();
            Optional<Trigger.On> parsed =
                    on == null || on.isEmpty() ? Optional.of(Trigger.On.SUCCEEDED) : Trigger.On.fromJson(on);
            String condition = json.condition() == null || json.condition().isBlank()
                    ? null
                    : json.condition().strip();
            return parsed.map(o -> new Fields(o, condition));
        }

        boolean match(Trigger stored) {
            return stored.on() == on && Objects.equals(stored.condition(), condition);
        }
    }
}
