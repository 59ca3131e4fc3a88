package dev.almanac.engine.internal;

import dev.almanac.artifact.Artifacts;
import dev.almanac.outbound.GuardedHttpClient;
import dev.almanac.outbound.OutboundMail;
import dev.almanac.target.Targets;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The services a run's {@link EngineJobContext} hands to templates: target databases, the artifact store, mail, the
 * guarded HTTP client, and the base directories for exports and backups. Also the environment parameters are validated
 * in: the targets' allowlists and the SSRF guard's view of a URL (with a DNS lookup, so a
 * host name for an internal address is refused when the job is saved).
 */
@Component
class JobServices implements TemplateEnvironment {

    final Targets targets;
    final Artifacts artifacts;
    final OutboundMail mail;
    final GuardedHttpClient http;
    final NotificationPreflight notificationPreflight;
    private final Map<String, Path> directories;

    JobServices(
            Targets targets,
            Artifacts artifacts,
            OutboundMail mail,
            GuardedHttpClient http,
            NotificationPreflight notificationPreflight,
            @Value("${almanac.export-dir:${almanac.data-dir}/exports}") Path exportDir,
            @Value("${almanac.backup-dir:${almanac.data-dir}/backups}") Path backupDir) {
        this.targets = targets;
        this.artifacts = artifacts;
        this.mail = mail;
        this.http = http;
        this.notificationPreflight = notificationPreflight;
        this.directories = Map.of(
                "export", exportDir.toAbsolutePath().normalize(),
                "backup", backupDir.toAbsolutePath().normalize());
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
}
