package dev.almanac.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What follows when a run ends: the jobs that wait for it through {@code depends_on} or triggers on outcomes (whose
 * conditions hold), fan-ins that now have all they wait for, and their parameters with the upstream results filled in.
 */
@Component
class JobTriggers {

    private static final Logger log = LoggerFactory.getLogger(JobTriggers.class);

    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{\\{\\s*upstream\\.(.+?)\\.result((?:\\.[A-Za-z0-9_\\-]+)+)\\s*\\}\\}");

    private final JobRepository jobs;
    private final TriggerStore store;
    private final TriggerConditions conditions;

    JobTriggers(JobRepository jobs, TriggerStore store, TriggerConditions conditions) {
        this.jobs = jobs;
        this.store = store;
        this.conditions = conditions;
    }

    JobScheduling.Followed started(JobScheduling.Ended ended, Instant now) {
        Map<JobId, JobScheduling.Start> starts = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        String trigger = "dependency:" + ended.execution();
        Map<String, Map<String, Object>> current = Map.of(ended.jobName(), safe(ended.result()));
        if ("succeeded".equals(ended.status())) {
            for (Job dependent : jobs.dependents(ended.job())) {
                starts.put(dependent.id(), start(dependent, trigger, current, List.of()));
            }
        }
        for (JobId id : store.downstreamOf(ended.job())) {
            Job downstream = jobs.find(id).orElse(null);
            if (downstream == null) {
                continue;
            }
            JobDefinition d = downstream.definition();
            if (d.triggerMode() == Trigger.Mode.ALL) {
                store.lockFanIn(id);
            }
            boolean matched = false;
            for (int i = 0; i < d.triggers().size(); i++) {
                Trigger t = d.triggers().get(i);
                if (t.job().equals(ended.job())
                        && t.on().matches(ended.status(), ended.finalOutcome())
                        && (t.condition() == null || holds(t, downstream, ended, warnings))) {
                    store.arrive(id, i, ended.job(), ended.execution(), now, safe(ended.result()));
                    matched = true;
                }
            }
            if (!matched || starts.containsKey(id)) {
                continue;
            }
            List<TriggerStore.Arrival> arrivals = store.arrivals(id);
            if (d.triggerMode() == Trigger.Mode.ALL) {
                if (!waitingFor(downstream, arrivals, now).isEmpty()) {
                    continue;
                }
                store.clearArrivals(id);
            }
            starts.put(id, start(downstream, trigger, current, arrivals));
        }
        return new JobScheduling.Followed(List.copyOf(starts.values()), warnings);
    }

    /** The upstream job names a fan-in still waits for; empty for other jobs. */
    List<String> waitingFor(Job job, Instant now) {
        if (job.definition().triggerMode() != Trigger.Mode.ALL) {
            return List.of();
        }
        return waitingFor(job, store.arrivals(job.id()), now);
    }

    private static List<String> waitingFor(Job job, List<TriggerStore.Arrival> arrivals, Instant now) {
        JobDefinition d = job.definition();
        Instant since = now.minus(d.triggerWindow());
        Set<Integer> arrived = arrivals.stream()
                .filter(a -> !a.at().isBefore(since))
                .filter(a -> job.lastRunAt() == null || a.at().isAfter(job.lastRunAt()))
                .map(TriggerStore.Arrival::ordinal)
                .collect(Collectors.toSet());
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < d.triggers().size(); i++) {
            if (!arrived.contains(i)) {
                Trigger t = d.triggers().get(i);
                waiting.add(t.jobName() + " (" + t.on().json() + ")");
            }
        }
        return waiting;
    }

    /** Whether the trigger's condition holds for the run; one that cannot be evaluated adds why to {@code warnings}. */
    private boolean holds(Trigger t, Job downstream, JobScheduling.Ended ended, List<String> warnings) {
        TriggerConditions.Verdict verdict = conditions.evaluate(
                ended.templateType(),
                t.condition(),
                ended.status(),
                ended.result(),
                Map.of(
                        "id", ended.job().toString(),
                        "name", ended.jobName(),
                        "template_type", ended.templateType()));
        if (verdict.failure() != null) {
            String warning = "Trigger of '" + downstream.name() + "' not fired: its condition '" + t.condition()
                    + "' could not be evaluated on this run's result, which counts as false (" + verdict.failure()
                    + ")";
            log.warn("Execution {} of '{}': {}", ended.execution(), ended.jobName(), warning);
            warnings.add(warning);
        }
        return verdict.holds();
    }

    private static JobScheduling.Start start(
            Job job, String trigger, Map<String, Map<String, Object>> current, List<TriggerStore.Arrival> arrivals) {
        Map<String, Map<String, Object>> results = new HashMap<>();
        Map<JobId, String> names = new HashMap<>();
        job.definition().triggers().forEach(t -> names.put(t.job(), t.jobName()));
        arrivals.stream().sorted((a, b) -> a.at().compareTo(b.at())).forEach(a -> {
            String name = names.get(a.upstream());
            if (name != null) {
                results.put(name, a.result());
            }
        });
        results.putAll(current);
        return new JobScheduling.Start(job, trigger, filled(job.definition().parameters(), results));
    }

    /** The parameters with each {@code {{upstream.<name>.result.<path>}}} replaced; a missing value is empty. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> filled(Map<String, Object> parameters, Map<String, Map<String, Object>> results) {
        return (Map<String, Object>) fill(parameters, results);
    }

    private static Object fill(Object value, Map<String, Map<String, Object>> results) {
        if (value instanceof String text && text.contains("{{")) {
            Matcher whole = PLACEHOLDER.matcher(text.strip());
            if (whole.matches()) {
                Object found =
                        lookup(results, whole.group(1).strip(), whole.group(2).substring(1));
                return found instanceof Map || found instanceof List
                        ? String.valueOf(found)
                        : found == null ? "" : found;
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                Object found = lookup(results, m.group(1).strip(), m.group(2).substring(1));
                m.appendReplacement(out, Matcher.quoteReplacement(found == null ? "" : String.valueOf(found)));
            }
            m.appendTail(out);
            return out.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), fill(v, results)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> fill(v, results)).toList();
        }
        return value;
    }

    private static Object lookup(Map<String, Map<String, Object>> results, String name, String path) {
        Object at = results.get(name);
        for (String part : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(part);
        }
        return at;
    }

    private static Map<String, Object> safe(Map<String, Object> result) {
        return result == null ? Map.of() : result;
    }
}
