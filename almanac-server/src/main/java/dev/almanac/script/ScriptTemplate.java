package dev.almanac.script;

import dev.almanac.script.internal.Sandbox;
import dev.almanac.script.internal.ScriptProperties;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.SecretParameters;
import dev.almanac.security.SecretScrubber;
import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.NamespacedEnvironment;
import dev.almanac.template.ParameterError;
import dev.almanac.template.PreflightCheck;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code script} template: runs an approved version of a script inside the sandbox. The version is checked when a
 * job is saved and again when it runs, so a version that is not approved never runs, however the run was started.
 */
@Component
class ScriptTemplate implements JobTemplate {

    static final String TYPE = "script";
    static final String LATEST_APPROVED = "latest_approved";
    static final String RESULT_PREFIX = "::result ";

    private static final Pattern SECRET_NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Linux's MAX_ARG_STRLEN: the most one environment string may take, {@code NAME=value} and its NUL, in bytes; the
     * kernel refuses to start a program with a longer one (E2BIG).
     */
    static final int MAX_VARIABLE_BYTES = 128 * 1024;

    /**
     * The most the whole environment may take, in bytes: the kernel bounds arguments and environment together by a
     * quarter of the stack limit (2 MiB with the usual 8 MiB), and the sandbox's command line needs some of it.
     */
    static final int MAX_ENVIRONMENT_BYTES = 1024 * 1024;

    /** An environment variable cannot hold a NUL character: the script could never start. */
    private static final String NUL = "must not contain a NUL character: an environment variable cannot hold one";

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder(TYPE)
            .name("Script")
            .description("Runs an approved version of one of your scripts (Python 3, shell or Node.js) inside a"
                    + " bubblewrap sandbox: no network unless approved, a private /tmp, limits on CPU, memory,"
                    + " processes and output.")
            .category("code")
            .icon("code")
            .riskLevel(RiskLevel.HIGH)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(10))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "script": {"type": "string", "title": "Script", "description": "The script's name, as on the Scripts page", "minLength": 1, "maxLength": 100},
                        "version": {"type": ["string", "integer"], "title": "Version", "description": "An approved version number, or latest_approved to follow each new approval", "pattern": "^(latest_approved|[1-9][0-9]{0,8})$", "minimum": 1, "default": "latest_approved"},
                        "parameters": {"type": "object", "title": "Script parameters", "description": "Handed to the script as JSON on stdin and as ALMANAC_PARAM_<NAME> variables", "maxProperties": 50, "default": {}},
                        "secrets": {"type": "object", "title": "Secrets", "description": "Handed to the script as ALMANAC_SECRET_<NAME> variables, never on a command line; names in upper case", "maxProperties": 20, "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]{0,63}$"}, "additionalProperties": {"type": "string", "maxLength": 4000}, "x-secret": true, "default": {}}
                      },
                      "required": ["script"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"script": "hello", "version": "latest_approved", "parameters": {"greeting": "hello"}}
                    """)
            .build();

    /** The tables themselves, read-only: the service's review rules need the template registry, which needs this. */
    private final ScriptRepository scripts;

    private final NamespaceAccess access;

    /** Looked up when a script runs: the secret parameters read the template registry, which needs this. */
    private final ObjectProvider<SecretParameters> secrets;

    private final ScriptProperties properties;
    private final Sandbox sandbox;

    ScriptTemplate(
            ScriptRepository scripts,
            ScriptProperties properties,
            NamespaceAccess access,
            ObjectProvider<SecretParameters> secrets,
            @Value("${almanac.data-dir:./data}") Path dataDir) {
        this.scripts = scripts;
        this.properties = properties;
        this.access = access;
        this.secrets = secrets;
        this.sandbox = new Sandbox(properties, dataDir.resolve("script-runs"));
    }

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Optional<String> unavailableReason() {
        Optional<String> sandboxMissing = sandbox.unavailable();
        if (sandboxMissing.isPresent()) {
            return sandboxMissing;
        }
        boolean anyLanguage =
                List.of(Language.values()).stream().anyMatch(l -> interpreter(l).isPresent());
        return anyLanguage
                ? Optional.empty()
                : Optional.of("no interpreter found (python3, sh, node): install one, or set"
                        + " almanac.scripts.interpreters.*");
    }

    /** The interpreter of a language, when it is an executable file here. */
    Optional<Path> interpreter(Language language) {
        ScriptProperties.Interpreters interpreters = properties.interpreters();
        Path path = switch (language) {
            case PYTHON3 -> interpreters.python3();
            case SH -> interpreters.sh();
            case NODE -> interpreters.node();
        };
        return path != null && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }

    /** A script and the version a job's parameters name. */
    record Chosen(Script script, ScriptVersion version) {}

    /** The version the parameters name, if it may run; otherwise the field and why not. */
    sealed interface Choice permits Runnable, Refused {}

    record Runnable(Chosen chosen) implements Choice {}

    record Refused(String field, String message) implements Choice {}

    /**
     * Which scripts a job may name: those of its own namespace and the global ones. {@link #ANYWHERE} where the job's
     * namespace is not known (a check of parameters alone); the run checks again, knowing it.
     */
    record Reach(String namespace, boolean anywhere) {

        static final Reach ANYWHERE = new Reach(null, true);

        /** The reach of a job of {@code namespace}; null (a run whose job is gone): the global scripts only. */
        static Reach of(String namespace) {
            return new Reach(namespace, false);
        }

        /** When a job is saved: its namespace when the validation knows it. */
        static Reach onSave(TemplateEnvironment environment) {
            return environment instanceof NamespacedEnvironment scoped ? of(scoped.namespace()) : ANYWHERE;
        }

        /** When a job runs: always its namespace, as it is now; none known, the global scripts only. */
        static Reach atRun(JobContext context) {
            return context.environment() instanceof NamespacedEnvironment scoped ? of(scoped.namespace()) : of(null);
        }

        boolean includes(Script script) {
            return anywhere || script.namespace() == null || script.namespace().equals(namespace);
        }
    }

    Choice choose(Map<String, Object> parameters, Reach reach) {
        String name = parameters.get("script") instanceof String text ? text : null;
        if (name == null || name.isBlank()) {
            return new Refused("script", "is required");
        }
        // a person saving or running a job sees only the scripts of namespaces they may see; the engine, all
        boolean engine = CurrentActor.ANONYMOUS.equals(CurrentActor.name());
        List<Script> seen = scripts.named(name).stream()
                .filter(found -> found.namespace() == null
                        || engine
                        || access.may(found.namespace(), NamespaceAccess.Action.READ))
                .toList();
        List<Script> usable = seen.stream().filter(reach::includes).toList();
        if (usable.isEmpty()) {
            return new Refused("script", outOfReach(name, seen, reach, engine));
        }
        if (usable.size() > 1 && !reach.anywhere()) {
            // only two writers racing get here: the service refuses a namespace's script a global script's name
            return new Refused(
                    "script",
                    "both namespace '" + reach.namespace() + "' and the global scripts have a script named '" + name
                            + "': rename one of them");
        }
        Choice first = null;
        for (Script script : usable) {
            Choice choice = choose(parameters, name, script);
            if (choice instanceof Runnable) {
                return choice;
            }
            first = first == null ? choice : first;
        }
        return first;
    }

    /** Why no script named {@code name} is the job's to use, naming only what the caller may see. */
    private static String outOfReach(String name, List<Script> seen, Reach reach, boolean engine) {
        if (seen.isEmpty() || reach.anywhere()) {
            return "no script is named '" + name + "'";
        }
        String home = reach.namespace() == null ? "no namespace" : "namespace '" + reach.namespace() + "'";
        String rule = "a job may use only the scripts of its own namespace and the global scripts";
        if (engine) {
            // a run's reason is read by the job's namespace: it does not say where else the name exists
            return "no script named '" + name + "' is of " + home + " or global: " + rule;
        }
        return "script '" + name + "' is of namespace '" + seen.get(0).namespace() + "', not of " + home + ": " + rule;
    }

    private Choice choose(Map<String, Object> parameters, String name, Script script) {
        Object version = parameters.getOrDefault("version", LATEST_APPROVED);
        if (version == null || LATEST_APPROVED.equals(version)) {
            return scripts.latestApproved(script.id(), Integer.MAX_VALUE)
                    .<Choice>map(approved -> new Runnable(new Chosen(script, approved)))
                    .orElseGet(() -> new Refused(
                            "version",
                            "script '" + name + "' has no approved version yet; a second person approves it"));
        }
        int number;
        try {
            number = version instanceof Number n ? n.intValue() : Integer.parseInt(version.toString());
        } catch (NumberFormatException notANumber) {
            return new Refused("version", "must be a version number or " + LATEST_APPROVED);
        }
        Optional<ScriptVersion> pinned = scripts.version(script.id(), number);
        if (pinned.isEmpty()) {
            return new Refused("version", "script '" + name + "' has no version " + number);
        }
        if (!pinned.get().approved()) {
            return new Refused(
                    "version",
                    "version " + number + " of script '" + name + "' is "
                            + pinned.get().status().json() + ": only an approved version runs");
        }
        return new Runnable(new Chosen(script, pinned.get()));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        List<ParameterError> errors = new ArrayList<>();
        if (parameters.get("secrets") instanceof Map<?, ?> secrets) {
            secrets.forEach((key, value) -> {
                String field = "secrets." + key;
                if (!SECRET_NAME.matcher(String.valueOf(key)).matches()) {
                    errors.add(
                            new ParameterError(field, "a secret's name is upper case letters, digits and underscores"));
                }
                if (value instanceof String text && text.indexOf('\0') >= 0) {
                    errors.add(new ParameterError(field, NUL));
                }
            });
        }
        if (parameters.get("parameters") instanceof Map<?, ?> values) {
            Map<String, String> byVariable = new LinkedHashMap<>();
            values.forEach((key, value) -> {
                String name = String.valueOf(key);
                String field = "parameters." + name;
                if (!PARAMETER_NAME.matcher(name).matches()) {
                    errors.add(new ParameterError(
                            field, "a parameter's name is letters, digits and underscores, starting with a letter"));
                } else {
                    String variable = parameterVariable(name);
                    String other = byVariable.putIfAbsent(variable, name);
                    if (other != null) {
                        errors.add(new ParameterError(
                                field,
                                "is handed to the script as " + variable + ", like parameter '" + other
                                        + "': names must differ in more than case"));
                    }
                }
                if (value instanceof String text && text.indexOf('\0') >= 0) {
                    errors.add(new ParameterError(field, NUL));
                } else if (PARAMETER_NAME.matcher(name).matches()) {
                    variableTooLong(parameterVariable(name), variableValue(value))
                            .ifPresent(why -> errors.add(new ParameterError(
                                    field,
                                    "is too long for an environment variable: " + why + " (the script also reads"
                                            + " its parameters from stdin, where no such bound holds, but each is a"
                                            + " variable too)")));
                }
            });
        }
        if (errors.isEmpty()) {
            Map<String, String> variables = new LinkedHashMap<>();
            scriptParameters(parameters)
                    .forEach((key, value) -> variables.put(parameterVariable(key), variableValue(value)));
            if (parameters.get("secrets") instanceof Map<?, ?> secrets) {
                secrets.forEach((key, value) -> variables.put("ALMANAC_SECRET_" + key, String.valueOf(value)));
            }
            environmentTooLarge(variables).ifPresent(why -> errors.add(new ParameterError("parameters", why)));
        }
        Choice choice = choose(parameters, Reach.onSave(environment));
        if (choice instanceof Refused refused) {
            errors.add(new ParameterError(refused.field(), refused.message()));
        } else if (choice instanceof Runnable runnable) {
            Language language = runnable.chosen().script().language();
            if (interpreter(language).isEmpty()) {
                errors.add(new ParameterError(
                        "script",
                        "is written in " + language.json() + ", whose interpreter is not installed here (set"
                                + " almanac.scripts.interpreters." + language.json() + ")"));
            }
        }
        return errors;
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Choice choice = choose(context.parameters(), Reach.atRun(context));
        if (choice instanceof Refused refused) {
            context.log().error("Refused to run: {} {}", refused.field(), refused.message());
            return JobResult.failed(refused.field() + ": " + refused.message());
        }
        Chosen chosen = ((Runnable) choice).chosen();
        List<PreflightCheck> checks = checks(chosen);
        Optional<PreflightCheck> failed =
                checks.stream().filter(check -> !check.ok()).findFirst();
        if (failed.isPresent()) {
            context.log().error("Refused to run: {}", failed.get().message());
            return JobResult.failed(failed.get().message());
        }
        return run(context, chosen, false);
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Choice choice = choose(context.parameters(), Reach.atRun(context));
        if (choice instanceof Refused refused) {
            return JobResult.builder(JobResult.Status.FAILED)
                    .message("Dry run: " + refused.field() + " " + refused.message())
                    .check(PreflightCheck.failed("script", refused.message()))
                    .build();
        }
        Chosen chosen = ((Runnable) choice).chosen();
        List<PreflightCheck> checks = checks(chosen);
        if (checks.stream().anyMatch(check -> !check.ok())) {
            JobResult.Builder result = JobResult.builder(JobResult.Status.FAILED)
                    .message("Dry run: "
                            + checks.stream()
                                    .filter(check -> !check.ok())
                                    .findFirst()
                                    .orElseThrow()
                                    .message());
            checks.forEach(result::check);
            return result.build();
        }
        if (chosen.version().supportsDryRun()) {
            context.log().info("The script declares '# almanac: dry-run': it runs with ALMANAC_DRY_RUN=1");
            return run(context, chosen, true);
        }
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: would run version " + chosen.version().version() + " of '"
                        + chosen.script().name() + "' ("
                        + chosen.script().language().json()
                        + "); the script does not declare '# almanac: dry-run', so it was not started")
                .detail("script", chosen.script().name())
                .detail("version", chosen.version().version())
                .detail("language", chosen.script().language().json())
                .detail("network", chosen.version().networkAllowed())
                .detail(
                        "environment",
                        new ArrayList<>(environment(context, chosen, false).keySet()));
        checks.forEach(result::check);
        return result.build();
    }

    private List<PreflightCheck> checks(Chosen chosen) {
        List<PreflightCheck> checks = new ArrayList<>();
        ScriptVersion version = chosen.version();
        checks.add(PreflightCheck.passed(
                "approval",
                "version " + version.version() + " was approved by " + version.reviewer() + " at "
                        + version.reviewedAt()));
        Optional<String> sandboxMissing = sandbox.unavailable();
        checks.add(sandboxMissing
                .map(reason -> PreflightCheck.failed("sandbox", reason))
                .orElseGet(() -> PreflightCheck.passed(
                        "sandbox",
                        properties.unsandboxed()
                                ? "UNSANDBOXED: almanac.scripts.unsandboxed is on (development only)"
                                : "bubblewrap at " + properties.bwrap())));
        Language language = chosen.script().language();
        checks.add(interpreter(language)
                .map(path -> PreflightCheck.passed("interpreter", language.json() + " at " + path))
                .orElseGet(() -> PreflightCheck.failed(
                        "interpreter",
                        language.json() + " is not installed here: set almanac.scripts.interpreters."
                                + language.json())));
        if (version.networkAllowed()) {
            checks.add(
                    properties.networkEnabled()
                            ? PreflightCheck.passed(
                                    "network", "approved with network access, and the operator allows it")
                            : PreflightCheck.failed(
                                    "network",
                                    "version " + version.version() + " was approved with network access, but"
                                            + " almanac.scripts.network-enabled is off on this node"));
        }
        return checks;
    }

    private JobResult run(JobContext context, Chosen chosen, boolean dryRun) throws Exception {
        Script script = chosen.script();
        ScriptVersion version = chosen.version();
        Map<String, Object> resultDetails = new LinkedHashMap<>();
        String label = (dryRun ? "Dry run: " : "") + "'" + script.name() + "' v" + version.version();
        Map<String, String> environment = environment(context, chosen, dryRun);
        // a job changed behind the API's back: the kernel would refuse to start it, saying only E2BIG
        Optional<String> tooLarge = environment.entrySet().stream()
                .map(variable -> variableTooLong(variable.getKey(), variable.getValue()))
                .flatMap(Optional::stream)
                .findFirst()
                .or(() -> environmentTooLarge(environment));
        if (tooLarge.isPresent()) {
            return JobResult.failed(label + " was not started: " + tooLarge.get());
        }
        Sandbox.Run run = new Sandbox.Run(
                interpreter(script.language()).orElseThrow(),
                script.language().fileName(),
                version.source(),
                JSON.writeValueAsString(scriptParameters(context)),
                environment,
                version.networkAllowed(),
                timeout(context));
        context.log()
                .info(
                        "Running version {} of '{}' ({}){}",
                        version.version(),
                        script.name(),
                        script.language().json(),
                        properties.unsandboxed()
                                ? " UNSANDBOXED (almanac.scripts.unsandboxed is on)"
                                : " in bubblewrap");
        SecretScrubber scrubber = secrets.getObject().scrubber(TYPE, context.parameters());
        Sandbox.Outcome outcome;
        try {
            outcome = sandbox.run(
                    run,
                    (stderr, line, whole) -> {
                        if (!stderr && whole && line.startsWith(RESULT_PREFIX)) {
                            String json = line.substring(RESULT_PREFIX.length());
                            if (!readResult(json, resultDetails)) {
                                context.log()
                                        .warn(shown(
                                                "Ignored a ::result line that is not a JSON object: " + json,
                                                true,
                                                scrubber));
                            }
                        } else if (!stderr && line.startsWith(RESULT_PREFIX)) {
                            context.log()
                                    .warn(shown(
                                            "Ignored a ::result line too long to read whole: " + line,
                                            false,
                                            scrubber));
                        } else if (stderr) {
                            context.log().warn(shown(line, whole, scrubber));
                        } else {
                            context.log().info(shown(line, whole, scrubber));
                        }
                    },
                    context::isCancelled);
        } catch (Sandbox.EnvironmentTooLarge refused) {
            return JobResult.failed(label + " was not started: " + refused.getMessage());
        }
        JobResult.Builder result;
        switch (outcome.ending()) {
            case STOPPED ->
                throw new JobCancelledException(
                        JobCancelledException.Reason.CANCELLED, "the run was stopped; the script was killed");
            case TIMED_OUT ->
                result = JobResult.builder(JobResult.Status.FAILED)
                        .message(label + " ran longer than " + run.timeout().toSeconds() + " s and was killed");
            case OUTPUT_LIMIT ->
                result = JobResult.builder(JobResult.Status.FAILED)
                        .message(label + " wrote more than "
                                + properties.limits().output().toBytes()
                                + " bytes of output and was killed (almanac.scripts.limits.output)");
            default ->
                result = outcome.exitCode() == 0
                        ? JobResult.builder(JobResult.Status.SUCCEEDED).message(label + " exited with 0")
                        : JobResult.builder(JobResult.Status.FAILED)
                                .message(label + " " + exitText(outcome.exitCode()));
        }
        return result.details(resultDetails)
                .detail("script", script.name())
                .detail("version", version.version())
                .detail("exit_code", outcome.ending() == Sandbox.Ending.EXITED ? outcome.exitCode() : null)
                .detail("output_bytes", outcome.outputBytes())
                .build();
    }

    /** What an exit code means; above 128 the script was killed by a signal, usually a limit. */
    static String exitText(int code) {
        if (code <= 128) {
            return "exited with code " + code;
        }
        int signal = code - 128;
        String why = switch (signal) {
            case 9 -> "SIGKILL: killed, e.g. at a limit";
            case 24 -> "SIGXCPU: it used up its CPU time (almanac.scripts.limits.cpu-time)";
            case 25 -> "SIGXFSZ: it wrote a file over the file size limit (almanac.scripts.limits.file-size)";
            case 11 -> "SIGSEGV: it crashed, possibly out of memory (almanac.scripts.limits.memory)";
            case 6 -> "SIGABRT: it aborted, possibly out of memory (almanac.scripts.limits.memory)";
            default -> "signal " + signal;
        };
        return "was killed by signal " + signal + " (" + why + "), exit code " + code;
    }

    /**
     * A line of output as the log shows it: its secrets masked first, then cut at the line length (never inside a
     * character), so that a cut never leaves the start of a secret. A line the sandbox could not keep whole is cut.
     */
    private String shown(String line, boolean whole, SecretScrubber scrubber) {
        String text = whole ? scrubber.apply(line) : scrubber.head(line);
        int length = properties.limits().lineLength();
        if (whole && text.length() <= length) {
            return text;
        }
        int end = Math.min(text.length(), length);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + " […]";
    }

    /** Merges a {@code ::result} line's JSON object into the details; false when it is not one. */
    private static boolean readResult(String json, Map<String, Object> details) {
        try {
            if (JSON.readValue(json, Object.class) instanceof Map<?, ?> map) {
                map.forEach((key, value) -> details.put(String.valueOf(key), value));
                return true;
            }
        } catch (JacksonException notJson) {
            // the caller says so
        }
        return false;
    }

    private Duration timeout(JobContext context) {
        Duration wall = properties.limits().wallTime();
        Optional<Instant> deadline = context.deadline();
        if (deadline.isEmpty()) {
            return wall;
        }
        Duration left = Duration.between(context.clock().instant(), deadline.get());
        return left.isNegative() ? Duration.ZERO : left.compareTo(wall) < 0 ? left : wall;
    }

    private static Map<String, Object> scriptParameters(JobContext context) {
        return scriptParameters(context.parameters());
    }

    private static Map<String, Object> scriptParameters(Map<String, Object> parameters) {
        return parameters.get("parameters") instanceof Map<?, ?> map ? new LinkedHashMap<>(castKeys(map)) : Map.of();
    }

    /** A parameter's value as its variable holds it: text as it is, objects and lists as JSON. */
    private static String variableValue(Object value) {
        return value == null
                ? ""
                : value instanceof String || value instanceof Number || value instanceof Boolean
                        ? value.toString()
                        : JSON.writeValueAsString(value);
    }

    /** The bytes a variable takes in the environment the kernel copies: {@code NAME=value} and a NUL. */
    private static long variableBytes(String name, String value) {
        return utf8Length(name) + 1 + utf8Length(value) + 1;
    }

    private static long utf8Length(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** Why the kernel would refuse {@code name}'s variable, if it would. */
    private static Optional<String> variableTooLong(String name, String value) {
        long bytes = variableBytes(name, value);
        return bytes <= MAX_VARIABLE_BYTES
                ? Optional.empty()
                : Optional.of(name + " would take " + bytes + " bytes (its name, '=' and value in UTF-8), and the"
                        + " kernel starts no program with a variable over " + MAX_VARIABLE_BYTES + " bytes");
    }

    /** Why the variables together are more than a script may be given, if they are. */
    private static Optional<String> environmentTooLarge(Map<String, String> variables) {
        long bytes = variables.entrySet().stream()
                .mapToLong(variable -> variableBytes(variable.getKey(), variable.getValue()))
                .sum();
        return bytes <= MAX_ENVIRONMENT_BYTES
                ? Optional.empty()
                : Optional.of("the parameters and secrets would take " + bytes + " bytes of environment variables,"
                        + " more than the " + MAX_ENVIRONMENT_BYTES + " a script may be given (the kernel bounds a"
                        + " program's arguments and environment together)");
    }

    private static Map<String, Object> castKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(String.valueOf(key), value));
        return copy;
    }

    /** The variable a script parameter is handed over in: its name in upper case. */
    private static String parameterVariable(String name) {
        return "ALMANAC_PARAM_" + name.toUpperCase(Locale.ROOT);
    }

    /** The whole environment of the script: nothing of Almanac's own reaches it. */
    private Map<String, String> environment(JobContext context, Chosen chosen, boolean dryRun) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("HOME", "/tmp");
        environment.put("LANG", "C.UTF-8");
        environment.put("TMPDIR", "/tmp");
        environment.put("ALMANAC_JOB_NAME", context.jobName());
        environment.put("ALMANAC_EXECUTION_ID", context.executionId());
        environment.put("ALMANAC_SCRIPT", chosen.script().name());
        environment.put(
                "ALMANAC_SCRIPT_VERSION", Integer.toString(chosen.version().version()));
        scriptParameters(context)
                .forEach((key, value) -> environment.put(parameterVariable(key), variableValue(value)));
        if (context.parameters().get("secrets") instanceof Map<?, ?> secrets) {
            secrets.forEach((key, value) -> environment.put("ALMANAC_SECRET_" + key, String.valueOf(value)));
        }
        if (dryRun) {
            environment.put("ALMANAC_DRY_RUN", "1");
        }
        return environment;
    }
}
