package dev.almanac.job;

import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Trigger conditions in CEL: compiled and type-checked on save against what the upstream template declares its
 * results hold, evaluated when an upstream run ends. The variables are {@code result} ({@code status},
 * {@code message}, {@code records_processed}, {@code records_affected}, {@code warnings}, {@code details}),
 * {@code status} (how the run ended) and {@code job} ({@code id}, {@code name}, {@code template_type}).
 */
@Component
public class TriggerConditions {

    private static final int MAX_CACHED = 1000;
    static final int MAX_LENGTH = 1000;

    private static final Map<String, CelType> TOP = Map.of(
            "result.status", SimpleType.STRING,
            "result.message", SimpleType.STRING,
            "result.records_processed", SimpleType.INT,
            "result.records_affected", SimpleType.INT,
            "result.warnings", ListType.create(SimpleType.STRING),
            "status", SimpleType.STRING,
            "job.id", SimpleType.STRING,
            "job.name", SimpleType.STRING,
            "job.template_type", SimpleType.STRING);

    private static final CelType DYN_MAP = MapType.create(SimpleType.STRING, SimpleType.DYN);

    private final TemplateRegistry templates;
    // Built on the first evaluation, not at start-up: CEL's runtime takes a noticeable share of start-up's CPU.
    private volatile CelRuntime runtime;
    private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    TriggerConditions(TemplateRegistry templates) {
        this.templates = templates;
    }

    /** Why {@code expression} does not compile to a boolean over runs of {@code templateType}; empty when it does. */
    public Optional<String> check(String templateType, String expression) {
        if (expression.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        try {
            compile(templateType, expression);
            return Optional.empty();
        } catch (CelValidationException invalid) {
            return Optional.of(
                    "is not a valid condition: " + invalid.getMessage().strip() + hint(templateType));
        }
    }

    /**
     * How a condition came out on one run: {@code holds}, or, when it could not be evaluated (a detail the run did not
     * report, or reported with another type than its template declares), {@code failure} says why and it does not hold.
     */
    public record Verdict(boolean holds, String failure) {}

    /** Whether the condition holds for a run of {@code templateType} that ended {@code status} with {@code result}. */
    public Verdict evaluate(
            String templateType,
            String expression,
            String status,
            Map<String, Object> result,
            Map<String, String> job) {
        try {
            CelRuntime.Program program = programs.computeIfAbsent(templateType + "\n" + expression, key -> {
                try {
                    return runtime().createProgram(compile(templateType, expression));
                } catch (CelValidationException | CelEvaluationException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (programs.size() > MAX_CACHED) {
                programs.clear();
            }
            Object value = program.eval(activation(templateType, status, result, job));
            if (value instanceof Boolean holds) {
                return new Verdict(holds, null);
            }
            // a declared detail the run did not report is left unbound: CEL answers "unknown", not an error
            return new Verdict(
                    false,
                    "it reads " + unreported(templateType, expression, result) + ", which this run did"
                            + " not report");
        } catch (CelEvaluationException | RuntimeException e) {
            return new Verdict(false, String.valueOf(e.getMessage()).strip());
        }
    }

    /** The declared details {@code expression} reads that {@code result} lacks, as the condition names them. */
    private String unreported(String templateType, String expression, Map<String, Object> result) {
        Map<?, ?> details = result != null && result.get("details") instanceof Map<?, ?> m ? m : Map.of();
        List<String> missing = declared(templateType).keySet().stream()
                .filter(name -> details.get(name) == null)
                .map(name -> "result.details." + name)
                .filter(detail -> Pattern.compile(Pattern.quote(detail) + "\\b")
                        .matcher(expression)
                        .find())
                .sorted()
                .toList();
        return missing.isEmpty() ? "a detail" : String.join(", ", missing);
    }

    private CelRuntime runtime() {
        CelRuntime built = runtime;
        if (built == null) {
            synchronized (this) {
                built = runtime;
                if (built == null) {
                    built = CelRuntimeFactory.standardCelRuntimeBuilder().build();
                    runtime = built;
                }
            }
        }
        return built;
    }

    private CelAbstractSyntaxTree compile(String templateType, String expression) throws CelValidationException {
        CelCompilerBuilder builder =
                CelCompilerFactory.standardCelCompilerBuilder().setResultType(SimpleType.BOOL);
        TOP.forEach(builder::addVar);
        Map<String, String> details = declared(templateType);
        if (details.isEmpty()) {
            builder.addVar("result.details", DYN_MAP);
        } else {
            details.forEach((name, type) -> builder.addVar("result.details." + name, type(type)));
        }
        CelCompiler compiler = builder.build();
        return compiler.compile(expression).getAst();
    }

    private String hint(String templateType) {
        Map<String, String> details = declared(templateType);
        StringBuilder hint = new StringBuilder(
                " (result has status, message, records_processed, records_affected, warnings, details");
        if (!details.isEmpty()) {
            hint.append("; ").append(templateType).append(" details: ");
            hint.append(String.join(", ", details.keySet().stream().sorted().toList()));
        }
        return hint.append(')').toString();
    }

    private Map<String, String> declared(String templateType) {
        return templates.find(templateType).map(JobTemplate::resultDetails).orElse(Map.of());
    }

    private static CelType type(String name) {
        return switch (name) {
            case "int" -> SimpleType.INT;
            case "double" -> SimpleType.DOUBLE;
            case "string" -> SimpleType.STRING;
            case "bool" -> SimpleType.BOOL;
            case "list" -> ListType.create(SimpleType.DYN);
            case "map" -> DYN_MAP;
            default -> SimpleType.DYN;
        };
    }

    private Map<String, Object> activation(
            String templateType, String status, Map<String, Object> result, Map<String, String> job) {
        Map<String, Object> result0 = result == null ? Map.of() : result;
        Map<String, Object> vars = new HashMap<>();
        vars.put("result.status", String.valueOf(result0.getOrDefault("status", status)));
        vars.put("result.message", String.valueOf(result0.getOrDefault("message", "")));
        vars.put("result.records_processed", cel(result0.getOrDefault("records_processed", 0L)));
        vars.put("result.records_affected", cel(result0.getOrDefault("records_affected", 0L)));
        vars.put("result.warnings", cel(result0.getOrDefault("warnings", List.of())));
        Map<?, ?> details = result0.get("details") instanceof Map<?, ?> m ? m : Map.of();
        vars.put("result.details", cel(details));
        declared(templateType).forEach((name, type) -> {
            if (details.containsKey(name) && details.get(name) != null) {
                Object value = cel(details.get(name));
                vars.put(
                        "result.details." + name,
                        type.equals("double") && value instanceof Long l ? (double) l : value);
            }
        });
        vars.put("status", status);
        vars.put("job.id", job.getOrDefault("id", ""));
        vars.put("job.name", job.getOrDefault("name", ""));
        vars.put("job.template_type", job.getOrDefault("template_type", ""));
        return vars;
    }

    /** JSON values as CEL wants them: whole numbers as long, others as double. */
    private static Object cel(Object value) {
        if (value == null) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (value instanceof Integer
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof BigDecimal) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), cel(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(cel(v)));
            return copy;
        }
        return value;
    }
}
