package dev.almanac.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A kind of job Almanac can run: the unit a plugin contributes.
 *
 * <p>Register an implementation by listing its class name in
 * {@code META-INF/services/dev.almanac.template.JobTemplate} of your jar and putting the jar on Almanac's
 * classpath; Almanac finds it with {@link java.util.ServiceLoader} at start-up and refuses to start when its
 * descriptor, schema or example is invalid. Implementations need a public no-argument constructor and must be
 * thread-safe: one instance serves every job and run of its type, possibly concurrently.
 *
 * <p>Parameters reach a template only after they passed its JSON Schema and {@link #validate(Map)}.
 */
public interface JobTemplate {

    /**
     * Describes the template. Called once at start-up; the result must not change afterwards.
     *
     * @return the descriptor
     */
    TemplateDescriptor descriptor();

    /**
     * The version of this template, at most 32 characters, e.g. {@code "2"} or {@code "1.4.0"}. Raise it when the
     * parameters schema or the meaning of a parameter changes: each job records the version its parameters were
     * validated against, and at start-up Almanac checks every job against the installed template again. A job whose
     * parameters no longer validate is flagged invalid with the reason, and its scheduled runs are skipped with reason
     * {@code invalid} until someone saves a valid definition; it never fails at run time for that. Templates written
     * before versions existed are version {@code "1"}.
     *
     * @return the version, never blank
     */
    default String version() {
        return "1";
    }

    /**
     * What each version changed, oldest first; shown by {@code GET /templates/{type}}. The default says nothing.
     *
     * @return the changes, one per version that changed something
     */
    default List<TemplateChange> changes() {
        return List.of();
    }

    /**
     * Says why this template cannot run on this machine, e.g. because a program it needs is not installed, and how
     * to fix it. Almanac lists an unavailable template with the reason; its runs fail. The default: always available.
     *
     * @return the reason, or empty when the template can run
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /**
     * Checks parameters beyond what the JSON Schema can say, e.g. that a start date is before an end date.
     * Called only after the parameters passed the schema, so the types and required fields the schema
     * declares can be relied on. Must not block on I/O: it runs on the API request path.
     *
     * @param parameters the parameters object, parsed JSON; read-only
     * @return every problem found, with fields relative to the parameters object; empty when valid
     */
    default List<ParameterError> validate(Map<String, Object> parameters) {
        return List.of();
    }

    /**
     * Checks parameters beyond the JSON Schema, knowing Almanac's configuration: e.g. that a target exists and a
     * table is on its allowlist. Almanac calls this one; the default delegates to {@link #validate(Map)}, so
     * templates that need no configuration override only that. Must not block on I/O.
     *
     * @param parameters the parameters object, parsed JSON; read-only
     * @param environment the configured targets and their allowlists
     * @return every problem found, with fields relative to the parameters object; empty when valid
     */
    default List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        return validate(parameters);
    }

    /**
     * Runs the job once. Check {@link JobContext#checkCancelled()} between units of work, and act only on
     * what the context offers.
     *
     * @param context the parameters, log, deadline and services of this run
     * @return the outcome
     * @throws Exception when the run fails in a way the template does not explain with a
     *     {@linkplain JobResult#failed(String) failed result}; the engine records it as a failure
     */
    JobResult execute(JobContext context) throws Exception;

    /**
     * Says what {@link #execute(JobContext)} would do with these parameters, without changing anything.
     * Templates that change something override this to describe the change (which rows, which recipients,
     * which files) as concretely as they can. The default suits templates that change nothing.
     *
     * @param context the parameters and log of the dry run; {@link JobContext#dryRun()} is {@code true}
     * @return a result whose message and details describe what a real run would do
     * @throws Exception when the dry run itself fails
     */
    default JobResult dryRun(JobContext context) throws Exception {
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: " + descriptor().type() + " changes nothing; a real run would use the given"
                        + " parameters")
                .detail("changes_nothing", true)
                .detail("parameters", context.parameters())
                .build();
    }

    /**
     * The details a successful run puts in its {@link JobResult#details()}, by name, with their types: {@code int},
     * {@code double}, {@code string}, {@code bool}, {@code list} or {@code map}. Trigger conditions on this
     * template's runs ({@code result.details.status_code == 200}) are type-checked against them when a job is
     * saved. The default, an empty map, declares nothing: conditions may then read any detail, checked only when
     * they run.
     *
     * @return detail names and their types; empty when the template declares none
     */
    default Map<String, String> resultDetails() {
        return Map.of();
    }
}
