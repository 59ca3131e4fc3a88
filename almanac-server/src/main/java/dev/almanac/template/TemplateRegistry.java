package dev.almanac.template;

import dev.almanac.common.FieldError;
import dev.almanac.common.NameHints;
import dev.almanac.common.NotFoundException;
import dev.almanac.template.internal.ParameterSchemas;
import dev.almanac.template.internal.RegisteredTemplate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job templates this node can run. Templates are found once, at start-up, with {@link ServiceLoader};
 * a template with a duplicate type, an invalid descriptor, an invalid JSON Schema or an example that fails its
 * own schema stops the start-up with a message naming every such problem.
 */
@Component
public class TemplateRegistry {

    private static final Comparator<RegisteredTemplate> LISTING_ORDER = Comparator.comparing(
                    (RegisteredTemplate registered) -> registered.descriptor().category())
            .thenComparing(registered -> registered.descriptor().name())
            .thenComparing(registered -> registered.descriptor().type());

    private static final JsonMapper FORM_JSON = JsonMapper.builder().build();

    private final ParameterSchemas schemas = new ParameterSchemas();
    private volatile Map<String, RegisteredTemplate> byType;
    private final TemplateEnvironment environment;
    private ApplicationEventPublisher events = event -> {};

    /** Registers the templates that {@link ServiceLoader} finds on the classpath, built-ins included. */
    public TemplateRegistry() {
        this(discover());
    }

    /**
     * Registers the templates {@link ServiceLoader} finds plus the built-ins that are application beans (those that
     * need Almanac's own services), and validates parameters in the given environment (the configured targets).
     */
    @Autowired
    public TemplateRegistry(ObjectProvider<JobTemplate> beans, ObjectProvider<TemplateEnvironment> environment) {
        this(withBeans(discover(), beans), environment.getIfAvailable(TemplateEnvironment::empty));
    }

    /**
     * Registers exactly the given templates.
     *
     * @throws IllegalStateException naming every template that cannot be registered and why
     */
    public TemplateRegistry(List<? extends JobTemplate> templates) {
        this(templates, TemplateEnvironment.empty());
    }

    /**
     * Registers exactly the given templates, validating parameters in the given environment.
     *
     * @throws IllegalStateException naming every template that cannot be registered and why
     */
    public TemplateRegistry(List<? extends JobTemplate> templates, TemplateEnvironment environment) {
        this.environment = environment;
        List<String> problems = new ArrayList<>();
        Map<String, RegisteredTemplate> registered = new LinkedHashMap<>();
        for (JobTemplate template : templates) {
            String source = template.getClass().getName();
            TemplateDescriptor descriptor;
            try {
                descriptor = template.descriptor();
            } catch (RuntimeException e) {
                problems.add(source + ": " + e.getMessage());
                continue;
            }
            if (descriptor == null) {
                problems.add(source + ": descriptor() returned null");
                continue;
            }
            RegisteredTemplate earlier = registered.get(descriptor.type());
            if (earlier != null) {
                problems.add("duplicate template type '" + descriptor.type() + "': "
                        + earlier.template().getClass().getName() + " and " + source);
                continue;
            }
            try {
                registered.put(descriptor.type(), schemas.register(template, descriptor));
            } catch (IllegalArgumentException e) {
                problems.add("template '" + descriptor.type() + "' (" + source + "): " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Cannot register job templates (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "):\n  - " + String.join("\n  - ", problems));
        }
        this.byType = ordered(registered.values());
    }

    private static Map<String, RegisteredTemplate> ordered(java.util.Collection<RegisteredTemplate> templates) {
        List<RegisteredTemplate> sorted = new ArrayList<>(templates);
        sorted.sort(LISTING_ORDER);
        Map<String, RegisteredTemplate> ordered = new LinkedHashMap<>();
        sorted.forEach(template -> ordered.put(template.descriptor().type(), template));
        return Collections.unmodifiableMap(ordered);
    }

    @Autowired(required = false)
    void announceChangesWith(ApplicationEventPublisher events) {
        this.events = events;
    }

    /**
     * Installs another version of a template in place of the one registered with its type, checked like at start-up,
     * and announces {@link TemplatesChanged} so the jobs of that type are checked against it.
     *
     * @throws IllegalStateException when the template cannot be registered, naming why
     */
    public synchronized void replace(JobTemplate template) {
        TemplateDescriptor descriptor = template.descriptor();
        RegisteredTemplate registered;
        try {
            registered = schemas.register(template, descriptor);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "Cannot register template '" + descriptor.type() + "': " + e.getMessage(), e);
        }
        Map<String, RegisteredTemplate> changed = new LinkedHashMap<>(byType);
        changed.put(descriptor.type(), registered);
        byType = ordered(changed.values());
        events.publishEvent(new TemplatesChanged(List.of(descriptor.type())));
    }

    /**
     * The version of the installed template of a type.
     *
     * @param type the template type
     * @return the version, or empty when no template has that type
     */
    public Optional<String> version(String type) {
        return registered(type).map(RegisteredTemplate::version);
    }

    private static List<JobTemplate> withBeans(List<JobTemplate> discovered, ObjectProvider<JobTemplate> beans) {
        List<JobTemplate> all = new ArrayList<>(discovered);
        beans.orderedStream().forEach(all::add);
        return all;
    }

    private static List<JobTemplate> discover() {
        List<JobTemplate> found = new ArrayList<>();
        try {
            ServiceLoader.load(JobTemplate.class).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("Cannot load job templates: " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Lists every template, sorted by category, then name.
     *
     * @return the templates, unmodifiable
     */
    public List<JobTemplate> all() {
        return byType.values().stream().map(RegisteredTemplate::template).toList();
    }

    /**
     * Finds the template of a type.
     *
     * @param type the template type, e.g. {@code "heartbeat"}
     * @return the template, or empty when no template has that type
     */
    public Optional<JobTemplate> find(String type) {
        return registered(type).map(RegisteredTemplate::template);
    }

    /**
     * Validates parameters for a template: first against its JSON Schema, reporting every violation; then,
     * only if the schema passed, with the template's own {@link JobTemplate#validate(Map)}. Fields are relative
     * to the parameters object ({@code max_rows}, {@code conditions[0].op}; {@code ""} for the object itself),
     * so callers prefix them, e.g. with {@link FieldError#prefixed(String) prefixed("parameters")}.
     *
     * @param type the template type
     * @param parameters the parameters, parsed JSON; {@code null} means {@code {}}
     * @return every problem found; empty when the parameters are valid
     * @throws NotFoundException when no template has that type (check with {@link #find(String)} first when an
     *     unknown type is the client's mistake)
     */
    public List<FieldError> validateParameters(String type, Map<String, Object> parameters) {
        return validateParameters(type, parameters, environment);
    }

    /**
     * The same, for a job of {@code namespace}: its outbound URLs are checked against the hosts granted to it, and each
     * string parameter whose schema takes a target ({@code "x-source": "targets"}) must name one granted to it.
     */
    public List<FieldError> validateParameters(String type, Map<String, Object> parameters, String namespace) {
        if (namespace == null || !(environment instanceof NamespaceEnvironments scoped)) {
            return validateParameters(type, parameters);
        }
        List<FieldError> errors = new ArrayList<>(validateParameters(type, parameters, scoped.in(namespace)));
        RegisteredTemplate registered = registered(type).orElseThrow(() -> notFound(type));
        if (registered.schemaDocument().get("properties") instanceof Map<?, ?> properties && parameters != null) {
            properties.forEach((name, property) -> {
                if (property instanceof Map<?, ?> schema
                        && "targets".equals(schema.get("x-source"))
                        && parameters.get(String.valueOf(name)) instanceof String target
                        && errors.stream().noneMatch(e -> e.field().equals(name))) {
                    scoped.targetRefusal(target, namespace)
                            .ifPresent(why -> errors.add(new FieldError(String.valueOf(name), why)));
                }
            });
        }
        return errors;
    }

    private List<FieldError> validateParameters(
            String type, Map<String, Object> parameters, TemplateEnvironment environment) {
        RegisteredTemplate registered = registered(type).orElseThrow(() -> notFound(type));
        Map<String, Object> values = parameters == null ? Map.of() : parameters;
        List<FieldError> schemaErrors = schemas.validate(registered.schema(), values);
        if (!schemaErrors.isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            schemaErrors.forEach(error -> errors.add(withHint(registered, error)));
            errors.addAll(alongsideSchemaErrors(registered.template(), values, schemaErrors, environment));
            return errors;
        }
        List<ParameterError> semanticErrors =
                registered.template().validate(Collections.unmodifiableMap(values), environment);
        if (semanticErrors == null) {
            return List.of();
        }
        return semanticErrors.stream()
                .map(error -> new FieldError(error.field(), error.message()))
                .toList();
    }

    private static final Pattern WRONG_TYPE =
            Pattern.compile("^must be (an? (string|integer|object|array|number|boolean)|null)( or .*)?$");

    /**
     * The template's own checks (an allowed table, a URL the guard lets through) run with schema errors on other
     * fields too, so a form shows every problem in one round rather than the template's only once the schema's are
     * fixed. A parameter of the wrong type is left out of what the checks read (a check may rely on the type the
     * schema promises); a check's error on a field the schema already faults, or on one left out, is not added; and
     * a check that fails on values the schema refused adds nothing. With an error on the parameters as a whole, the
     * checks wait for the schema's to be fixed, as before.
     */
    private static List<FieldError> alongsideSchemaErrors(
            JobTemplate template,
            Map<String, Object> values,
            List<FieldError> schemaErrors,
            TemplateEnvironment environment) {
        Set<String> faulted = new HashSet<>();
        Set<String> leftOut = new HashSet<>();
        for (FieldError error : schemaErrors) {
            if (error.field() == null || error.field().isEmpty()) {
                return List.of();
            }
            faulted.add(error.field());
            if (WRONG_TYPE.matcher(error.message()).matches()) {
                leftOut.add(topLevel(error.field()));
            }
        }
        Map<String, Object> read = new LinkedHashMap<>(values);
        read.keySet().removeAll(leftOut);
        List<ParameterError> checked;
        try {
            checked = template.validate(Collections.unmodifiableMap(read), environment);
        } catch (RuntimeException notForTheseValues) {
            return List.of();
        }
        if (checked == null) {
            return List.of();
        }
        List<FieldError> errors = new ArrayList<>();
        for (ParameterError error : checked) {
            String field = error.field() == null ? "" : error.field();
            boolean faultedAlready = faulted.stream()
                    .anyMatch(f -> field.equals(f) || field.startsWith(f + ".") || field.startsWith(f + "["));
            if (!field.isEmpty() && !faultedAlready && !leftOut.contains(topLevel(field))) {
                errors.add(new FieldError(field, error.message()));
            }
        }
        return errors;
    }

    /** The parameter a path starts at: {@code columns} of {@code columns[0]}, {@code auth} of {@code auth.user}. */
    private static String topLevel(String field) {
        int end = field.length();
        for (char c : new char[] {'.', '['}) {
            int at = field.indexOf(c);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return field.substring(0, end);
    }

    /**
     * An unknown parameter's error, with the parameter probably meant: one named in a property's {@code x-aliases}
     * (the names other tools use, e.g. {@code collection} for {@code table}), or a known one spelled alike.
     */
    private static FieldError withHint(RegisteredTemplate registered, FieldError error) {
        String name = error.field();
        if (!error.message().equals("is not allowed") || name.isEmpty() || name.contains(".") || name.contains("[")) {
            return error;
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        List<String> known = new ArrayList<>();
        if (registered.schemaDocument().get("properties") instanceof Map<?, ?> properties) {
            properties.forEach((property, rule) -> {
                known.add(property.toString());
                if (rule instanceof Map<?, ?> map && map.get("x-aliases") instanceof List<?> list) {
                    list.forEach(alias -> aliases.put(alias.toString(), property.toString()));
                }
            });
        }
        String meant = aliases.getOrDefault(name, NameHints.closest(name, known).orElse(null));
        String type = registered.descriptor().type();
        return new FieldError(
                name,
                meant != null
                        ? "'" + name + "' is not a parameter of " + type + "; did you mean '" + meant + "'?"
                        : known.isEmpty()
                                ? "'" + name + "' is not a parameter of " + type + ", which takes none"
                                : "'" + name + "' is not a parameter of " + type + "; its parameters are "
                                        + String.join(", ", known));
    }

    /**
     * The form of a template's parameters, generated from its JSON Schema, for the admin UI.
     *
     * @param type the template type
     * @return the form, or empty when no template has that type
     */
    public Optional<ParameterForm> form(String type) {
        return registered(type).map(registered -> new ParameterForm(registered.schemaDocument(), FORM_JSON));
    }

    /**
     * The example parameters a template declares, offered by the UI as a starting point.
     *
     * @param type the template type
     * @return the example, or empty when no template has that type
     */
    public Optional<Map<String, Object>> exampleParameters(String type) {
        return registered(type).map(RegisteredTemplate::exampleParameters);
    }

    public List<RegisteredTemplate> registered() {
        return List.copyOf(byType.values());
    }

    public Optional<RegisteredTemplate> registered(String type) {
        return Optional.ofNullable(type == null ? null : byType.get(type));
    }

    public static NotFoundException notFound(String type) {
        return new NotFoundException("no template of type '" + type + "'");
    }
}
