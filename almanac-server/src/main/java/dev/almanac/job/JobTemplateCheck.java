package dev.almanac.job;

import dev.almanac.common.FieldError;
import dev.almanac.outbound.AddressGuard;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.template.TemplatesChanged;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks every job's parameters against the installed version of its template: after start-up, in the background (a
 * plugin upgrade may have changed a schema), and whenever templates are replaced. A job that no longer validates is
 * flagged with the reason, so the trigger pass skips its runs (reason {@code invalid}) instead of letting them fail;
 * one that validates again is cleared and records the version it passed.
 */
@Component
public class JobTemplateCheck {

    private static final Logger log = LoggerFactory.getLogger(JobTemplateCheck.class);
    private static final int PAGE = 500;
    private static final int MAX_REASON = 2000;

    private final JobRepository jobs;
    private final TemplateRegistry templates;
    private final SecretParameters secrets;
    private final TransactionTemplate transactions;
    private final ExecutorService background = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "job-template-check");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    JobTemplateCheck(
            JobRepository jobs,
            TemplateRegistry templates,
            SecretParameters secrets,
            TransactionTemplate transactions) {
        this.jobs = jobs;
        this.templates = templates;
        this.secrets = secrets;
        this.transactions = transactions;
    }

    /** What a check found: how many jobs it read, how many are invalid now. */
    public record Outcome(int checked, int invalid) {}

    /**
     * Starts the check on its own thread: at 100 000 jobs on PostgreSQL it took 2.4–3 s, and 50 s right after an upgrade
     * that re-records every job's template version, far too long for the start-up path. Until it reaches a job, the
     * job keeps the flag an earlier check stored.
     */
    @EventListener(ApplicationReadyEvent.class)
    void afterStartUp() {
        background.execute(() -> {
            long started = System.nanoTime();
            try {
                Outcome outcome = checkAll();
                long millis = (System.nanoTime() - started) / 1_000_000;
                if (outcome.invalid() > 0) {
                    log.warn(
                            "{} of {} jobs no longer validate against their installed template and are skipped until"
                                    + " fixed; list them with GET /api/admin/scheduler/jobs?invalid=true ({} ms)",
                            outcome.invalid(),
                            outcome.checked(),
                            millis);
                } else {
                    log.info("Checked {} jobs against their installed templates in {} ms", outcome.checked(), millis);
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    log.warn("The start-up template check stopped: {}; it runs again at the next start", e.toString());
                }
            }
        });
    }

    @PreDestroy
    void stop() {
        stopping = true;
        background.shutdown();
    }

    @EventListener
    void templatesChanged(TemplatesChanged changed) {
        checkAll();
    }

    /**
     * Checks every job, a page at a time: the page is read, validated outside any transaction (a template's check may
     * look up host names, and PostgreSQL ends a transaction left waiting, see the engine's
     * {@code CutOffSessionLimits}), then its flags are written in one transaction, each only where the job was not
     * saved meanwhile (its save validated it against what it holds now).
     */
    public Outcome checkAll() {
        int checked = 0;
        int invalid = 0;
        UUID after = new UUID(0, 0); // the least id in the databases' (unsigned) order
        while (!stopping) {
            List<JobRepository.StoredParameters> page = jobs.parametersAfter(after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            List<Verdict> verdicts = page.stream().map(this::verdict).toList();
            transactions.executeWithoutResult(status -> verdicts.forEach(this::record));
            checked += page.size();
            invalid += (int) verdicts.stream().filter(v -> v.reason() != null).count();
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).id().value();
        }
        return new Outcome(checked, invalid);
    }

    /** A job as read, why it does not validate (null when it does), and the template version it was checked against. */
    private record Verdict(JobRepository.StoredParameters job, String reason, String templateVersion) {}

    private Verdict verdict(JobRepository.StoredParameters job) {
        String reason = AddressGuard.withinOneLookupBudget(() -> reason(job));
        return new Verdict(
                job,
                reason,
                reason == null ? templates.version(job.templateType()).orElseThrow() : null);
    }

    /** Flags or clears one job, when its flag changes and the job is still as read. */
    private void record(Verdict verdict) {
        JobRepository.StoredParameters job = verdict.job();
        if (verdict.reason() == null) {
            if (job.invalidReason() != null || !verdict.templateVersion().equals(job.templateVersion())) {
                jobs.markValidated(job, verdict.templateVersion());
            }
        } else if (!verdict.reason().equals(job.invalidReason())) {
            jobs.markInvalid(job, verdict.reason());
        }
    }

    /** Why the job's parameters do not validate against the installed template, or null when they do. */
    private String reason(JobRepository.StoredParameters job) {
        if (templates.find(job.templateType()).isEmpty()) {
            return "template '" + job.templateType() + "' is not installed";
        }
        List<FieldError> errors;
        java.util.Map<String, Object> plain;
        try {
            plain = secrets.reveal(job.templateType(), job.parameters());
            errors = templates.validateParameters(job.templateType(), plain);
        } catch (RuntimeException e) {
            return "the parameters could not be checked: " + Objects.toString(e.getMessage(), e.toString());
        }
        if (errors.isEmpty()) {
            return null;
        }
        String version = templates.version(job.templateType()).orElseThrow();
        String reason = "the parameters no longer validate against " + job.templateType() + " version " + version
                + (job.templateVersion() == null ? "" : " (saved with version " + job.templateVersion() + ")") + ": "
                + errors.stream()
                        .map(error -> error.prefixed("parameters"))
                        .map(error -> error.field() + " " + error.message())
                        .collect(Collectors.joining("; "));
        // a template's message may echo a value it was given; the reason is stored and shown
        reason = secrets.scrubbed(job.templateType(), plain, reason);
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    }
}
