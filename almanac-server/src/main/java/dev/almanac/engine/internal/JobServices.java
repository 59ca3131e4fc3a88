package dev.almanac.engine.internal;

import dev.almanac.artifact.Artifacts;
import dev.almanac.execution.Execution;
import dev.almanac.job.JobService;
import dev.almanac.outbound.GuardedHttpClient;
import dev.almanac.outbound.OutboundMail;
import dev.almanac.target.Targets;
import dev.almanac.template.NamespaceEnvironments;
import dev.almanac.template.NamespacedEnvironment;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The services a run's {@link EngineJobContext} hands to templates: target databases, the artifact store, mail, the
 * guarded HTTP client, and the base directories for exports and backups. Also the environment parameters are validated
 * in: the targets' allowlists and the SSRF guard's view of a URL (with a DNS lookup, so a
 * host name for an internal address is refused when the job is saved).
 */
@Component
class JobServices implements TemplateEnvironment, NamespaceEnvironments {

    final Targets targets;
    final Artifacts artifacts;
    final OutboundMail mail;
    final GuardedHttpClient http;
    final NotificationPreflight notificationPreflight;
    private final ObjectProvider<JobService> jobs;
    private final Map<String, Path> directories;

    JobServices(
            Targets targets,
            Artifacts artifacts,
            OutboundMail mail,
            GuardedHttpClient http,
            NotificationPreflight notificationPreflight,
            ObjectProvider<JobService> jobs,
            @Value("${almanac.export-dir:${almanac.data-dir}/exports}") Path exportDir,
            @Value("${almanac.backup-dir:${almanac.data-dir}/backups}") Path backupDir) {
        this.targets = targets;
        this.artifacts = artifacts;
        this.mail = mail;
        this.http = http;
        this.notificationPreflight = notificationPreflight;
        this.jobs = jobs;
        this.directories = Map.of(
                "export", exportDir.toAbsolutePath().normalize(),
                "backup", backupDir.toAbsolutePath().normalize());
    }

    /** The namespace of the job a run belongs to, as it is now (a job moved since it was saved counts as moved). */
    String namespaceOf(Execution execution) {
        return execution.jobId() == null
                ? null
                : jobs.getObject().namespaceOf(execution.jobId()).orElse(null);
    }

    Optional<Path> directory(String area) {
        return Optional.ofNullable(directories.get(area));
    }

    @Override
    public List<TargetDescription> targets() {
        return targets.targets();
    }

    @Override
    public Optional<TargetDescription> target(String name) {
        return targets.target(name);
    }

    @Override
    public Optional<String> urlRefusal(String url) {
        return Optional.ofNullable(http.guard().refusalOnSave(url));
    }

    @Override
    public NamespacedEnvironment in(String namespace) {
        return new NamespacedEnvironment() {
            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public List<TargetDescription> targets() {
                return targets.grantedTargets(namespace);
            }

            @Override
            public Optional<TargetDescription> target(String name) {
                // a target of another namespace is refused by name (targetRefusal), not as one that does not exist
                return targets.target(name);
            }

            @Override
            public Optional<String> urlRefusal(String url) {
                return Optional.ofNullable(http.guard().in(namespace).refusalOnSave(url));
            }
        };
    }

    @Override
    public Optional<String> targetRefusal(String target, String namespace) {
        return targets.refusal(target, namespace);
    }
}
