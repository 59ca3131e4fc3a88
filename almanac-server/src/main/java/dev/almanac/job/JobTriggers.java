package dev.almanac.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        Upstream upstream = new Upstream(ended);
        if ("succeeded".equals(ended.status())) {
            for (Job dependent : jobs.dependents(ended.job())) {
                starts.put(dependent.id(), start(dependent, trigger, upstream, List.of()));
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
            starts.put(id, start(downstream, trigger, upstream, arrivals));
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
            // the upstream's readers may not see the downstream's namespace: its name and condition stay out
            boolean sameNamespace = jobs.find(ended.job())
                    .map(up -> up.definition()
                            .namespace()
                            .equals(downstream.definition().namespace()))
                    .orElse(false);
            warnings.add(
                    sameNamespace
                            ? warning
                            : "A trigger of a job in another namespace was not fired: its condition could not be"
                                    + " evaluated on this run's result, which counts as false");
        }
        return verdict.holds();
    }

    /**
     * The run of {@code job} an upstream run starts, with its placeholders filled in: each upstream named as the job
     * names it now (by id, so a rename since the run began changes nothing), from the arrivals of a fan-in and the run
     * that just ended.
     */
    private static JobScheduling.Start start(
            Job job, String trigger, Upstream upstream, List<TriggerStore.Arrival> arrivals) {
        Map<String, Object> parameters = job.definition().parameters();
        if (!UpstreamPlaceholders.present(parameters)) {
            return new JobScheduling.Start(job, trigger, parameters, List.of());
        }
        Map<JobId, String> names = new HashMap<>();
        job.definition().triggers().forEach(t -> names.put(t.job(), t.jobName()));
        Map<String, Map<String, Object>> results = new HashMap<>();
        arrivals.stream().sorted((a, b) -> a.at().compareTo(b.at())).forEach(a -> {
            String name = names.get(a.upstream());
            if (name != null) {
                results.put(name, a.result());
            }
        });
        String current = names.get(upstream.ended.job());
        if (current == null) {
            current = upstream.nameFrom(job.definition().namespace());
        }
        if (current != null) {
            results.put(current, safe(upstream.ended.result()));
        }
        List<String> warnings = new ArrayList<>();
        for (String placeholder : UpstreamPlaceholders.withoutResult(parameters, results)) {
            String warning = placeholder + " filled in empty: no result of an upstream of that name came with this"
                    + " run (no upstream of this job is named so now, or its run has not ended since)";
            log.warn("Execution {} starts '{}': {}", upstream.ended.execution(), job.name(), warning);
            warnings.add(warning);
        }
        return new JobScheduling.Start(job, trigger, UpstreamPlaceholders.filled(parameters, results), warnings);
    }

    /** The job whose run ended, read once and only when a depends_on dependent's placeholders need its name. */
    private final class Upstream {
        final JobScheduling.Ended ended;
        private Optional<Job> job;

        Upstream(JobScheduling.Ended ended) {
            this.ended = ended;
        }

        String nameFrom(String namespace) {
            if (job == null) {
                job = jobs.find(ended.job());
            }
            return job.map(j -> UpstreamPlaceholders.nameOf(j.definition(), namespace))
                    .orElse(null);
        }
    }

    private static Map<String, Object> safe(Map<String, Object> result) {
        return result == null ? Map.of() : result;
    }
}
