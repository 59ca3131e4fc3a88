package dev.almanac.job.internal;

import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.ParameterLines;
import dev.almanac.job.Trigger;
import dev.almanac.security.NamespaceAccess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** A definition's parameters and dependencies as the job page and the wizard's review list them, secrets masked. */
@Component
class DefinitionLines {

    private final JobService jobs;
    private final ParameterLines parameterLines;
    private final NamespaceAccess access;

    DefinitionLines(JobService jobs, ParameterLines parameterLines, NamespaceAccess access) {
        this.jobs = jobs;
        this.parameterLines = parameterLines;
        this.access = access;
    }

    List<ParameterLines.ParameterLine> parameters(String type, Map<String, Object> parameters) {
        return parameterLines.of(type, parameters);
    }

    /**
     * The names of the jobs a definition depends on, by id; a deleted one says so, and one of a namespace the reader
     * may not see is not named, as {@link JobService} answers it, whoever posted its id.
     */
    Map<String, String> dependencies(List<JobId> ids) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JobId id : ids) {
            names.put(id.toString(), nameOf(id));
        }
        return names;
    }

    /**
     * The names of the jobs a definition's triggers wait for, by id, as stored ({@code namespace/name} for another
     * namespace's), but not named when the reader may not see that job.
     */
    Map<String, String> triggers(List<Trigger> triggers) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Trigger trigger : triggers) {
            names.put(
                    trigger.job().toString(),
                    jobs.find(trigger.job())
                            .filter(job -> !access.may(job.definition().namespace(), NamespaceAccess.Action.READ))
                            .map(hidden -> JobService.HIDDEN_JOB)
                            .orElse(trigger.jobName()));
        }
        return names;
    }

    private String nameOf(JobId id) {
        return jobs.find(id)
                .map(job -> access.may(job.definition().namespace(), NamespaceAccess.Action.READ)
                        ? job.name()
                        : JobService.HIDDEN_JOB)
                .orElse(id + " (deleted)");
    }
}
