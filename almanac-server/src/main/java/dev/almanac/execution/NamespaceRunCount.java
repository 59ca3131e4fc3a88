package dev.almanac.execution;

import dev.almanac.security.NamespaceRuns;
import java.util.Set;
import org.springframework.stereotype.Component;

/** How many runs of a namespace's jobs are running now, for its page's "runs at once" use. */
@Component
class NamespaceRunCount implements NamespaceRuns {

    private final ExecutionRepository executions;

    NamespaceRunCount(ExecutionRepository executions) {
        this.executions = executions;
    }

    @Override
    public long runningIn(String namespace) {
        return executions.activeCounts(Set.of(namespace)).getOrDefault(ExecutionStatus.RUNNING, 0L);
    }
}
