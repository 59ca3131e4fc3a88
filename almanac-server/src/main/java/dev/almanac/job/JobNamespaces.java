package dev.almanac.job;

import dev.almanac.common.NamespaceResolver;
import dev.almanac.security.NamespaceUsage;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The namespace of a job, for the audit trail and access checks, and how many jobs a namespace holds. */
@Component
class JobNamespaces implements NamespaceResolver, NamespaceUsage {

    private final JobRepository jobs;

    JobNamespaces(JobRepository jobs) {
        this.jobs = jobs;
    }

    @Override
    public Optional<String> namespaceOf(String type, String id) {
        if (!"job".equals(type) || id == null) {
            return Optional.empty();
        }
        return JobId.parse(id).flatMap(jobs::namespaceOf);
    }

    @Override
    public long jobsIn(String namespace, long atMost) {
        return jobs.countInNamespace(namespace, atMost);
    }
}
