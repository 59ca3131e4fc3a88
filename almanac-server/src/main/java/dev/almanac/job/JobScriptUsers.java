package dev.almanac.job;

import dev.almanac.script.ScriptUsers;
import dev.almanac.security.NamespaceAccess;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Tells the script pages which jobs run a script, leaving out the jobs of namespaces the reader may not see. */
@Component
class JobScriptUsers implements ScriptUsers {

    private final JobRepository jobs;
    private final NamespaceAccess namespaces;

    JobScriptUsers(JobRepository jobs, NamespaceAccess namespaces) {
        this.jobs = jobs;
        this.namespaces = namespaces;
    }

    @Override
    @Transactional(readOnly = true)
    public List<Use> jobsUsing(String script) {
        NamespaceAccess.Scope visible = namespaces.visible();
        return jobs.jobsRunningScript(script).stream()
                .filter(use -> visible.includes(use.namespace()))
                .toList();
    }
}
