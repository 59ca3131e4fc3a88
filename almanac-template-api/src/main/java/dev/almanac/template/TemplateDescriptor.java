package dev.almanac.template;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything Almanac shows and checks about a template before it runs: identity, presentation, risk and the
 * JSON Schema of its parameters.
 *
 * <p>Build it with {@link #builder(String)}:
 *
 * <pre>{@code
 * TemplateDescriptor.builder("heartbeat")
 *         .name("Heartbeat")
 *         .description("Writes a line to the execution log to show the scheduler is alive.")
 *         .category("system")
 *         .icon("heart-pulse")
 *         .riskLevel(RiskLevel.LOW)
 *         .estimatedDuration(Duration.ofSeconds(1))
 *         .resourceUsage(ResourceUsage.LOW)
 *         .parametersSchema("""
 *                 {"type": "object", "properties": {}, "additionalProperties": false}""")
 *         .exampleParameters("{}")
 *         .build();
 * }</pre>
 *
 * <p>Construction checks every component and throws one {@link IllegalArgumentException} naming all missing or
 * malformed ones. Whether the schema and the example are valid JSON Schema and JSON is checked by Almanac when
 * it registers the template.
 *
 * @param type the stable identifier jobs refer to, lower_snake_case, at most 64 characters, unique among all
 *     templates
 * @param name the display name
 * @param description one or two sentences on what the template does
 * @param category the group the UI lists it under, e.g. {@code "system"} or {@code "data"}
 * @param icon a short lower-case icon name with dashes, e.g. {@code "heart-pulse"}
 * @param riskLevel how much harm a misconfigured run can do
 * @param destructive whether a run deletes or overwrites data
 * @param estimatedDuration how long a typical run takes; positive
 * @param resourceUsage how heavy a typical run is
 * @param parametersSchema the JSON Schema (draft 2020-12) of the parameters object, as JSON text; its root
 *     must be {@code "type": "object"}, and it must not {@code $ref} anything outside itself. {@code "x-secret": true}
 *     marks secrets: a string, or an object or array whose values are secrets (marked on the node itself or on its
 *     {@code additionalProperties} / {@code items}), at any depth; every string at or under a marked node is stored
 *     encrypted, shown as {@code ••••} and handed to {@link JobTemplate#execute} in plain text
 * @param exampleParameters JSON text of a parameters object that validates against {@code parametersSchema};
 *     the UI offers it as a starting point
 */
public record TemplateDescriptor(
        String type,
        String name,
        String description,
        String category,
        String icon,
        RiskLevel riskLevel,
        boolean destructive,
        Duration estimatedDuration,
        ResourceUsage resourceUsage,
        String parametersSchema,
        String exampleParameters) {

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern ICON = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final int MAX_TYPE_LENGTH = 64;
    private static final int MAX_ICON_LENGTH = 64;

    public TemplateDescriptor {
        List<String> problems = new ArrayList<>();
        if (type == null || type.isBlank()) {
            problems.add("type is required");
        } else if (type.length() > MAX_TYPE_LENGTH || !TYPE.matcher(type).matches()) {
            problems.add("type must be lower_snake_case (a-z, 0-9 and single underscores, starting with a letter)"
                    + " and at most " + MAX_TYPE_LENGTH + " characters");
        }
        requireText(name, "name", problems);
        requireText(description, "description", problems);
        requireText(category, "category", problems);
        if (requireText(icon, "icon", problems)
                && (icon.length() > MAX_ICON_LENGTH || !ICON.matcher(icon).matches())) {
            problems.add("icon must be a short lower-case name with dashes, e.g. heart-pulse");
        }
        if (riskLevel == null) {
            problems.add("risk level is required");
        }
        if (estimatedDuration == null) {
            problems.add("estimated duration is required");
        } else if (estimatedDuration.isNegative() || estimatedDuration.isZero()) {
            problems.add("estimated duration must be positive");
        }
        if (resourceUsage == null) {
            problems.add("resource usage is required");
        }
        requireText(parametersSchema, "parameters schema", problems);
        requireText(exampleParameters, "example parameters", problems);
        if (!problems.isEmpty()) {
            String which = type == null || type.isBlank() ? "" : " '" + type + "'";
            throw new IllegalArgumentException(
                    "invalid template descriptor" + which + ": " + String.join("; ", problems));
        }
    }

    /**
     * Starts a descriptor for the given type. {@code destructive} defaults to {@code false} and
     * {@code exampleParameters} to {@code "{}"}; everything else must be set.
     *
     * @param type the template type, lower_snake_case
     * @return a builder
     */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    private static boolean requireText(String value, String what, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(what + " is required");
            return false;
        }
        return true;
    }

    /** Collects the parts of a {@link TemplateDescriptor}; not thread-safe. */
    public static final class Builder {

        private final String type;
        private String name;
        private String description;
        private String category;
        private String icon;
        private RiskLevel riskLevel;
        private boolean destructive;
        private Duration estimatedDuration;
        private ResourceUsage resourceUsage;
        private String parametersSchema;
        private String exampleParameters = "{}";

        private Builder(String type) {
            this.type = type;
        }

        /**
         * Sets the display name.
         *
         * @param name the display name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets the description.
         *
         * @param description one or two sentences
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * Sets the category.
         *
         * @param category the group the UI lists the template under
         * @return this builder
         */
        public Builder category(String category) {
            this.category = category;
            return this;
        }

        /**
         * Sets the icon name.
         *
         * @param icon a short lower-case name with dashes
         * @return this builder
         */
        public Builder icon(String icon) {
            this.icon = icon;
            return this;
        }

        /**
         * Sets the risk level.
         *
         * @param riskLevel how much harm a misconfigured run can do
         * @return this builder
         */
        public Builder riskLevel(RiskLevel riskLevel) {
            this.riskLevel = riskLevel;
            return this;
        }

        /**
         * Marks whether the template deletes or overwrites data.
         *
         * @param destructive {@code true} when a run deletes or overwrites data
         * @return this builder
         */
        public Builder destructive(boolean destructive) {
            this.destructive = destructive;
            return this;
        }

        /**
         * Sets the typical duration of a run.
         *
         * @param estimatedDuration positive
         * @return this builder
         */
        public Builder estimatedDuration(Duration estimatedDuration) {
            this.estimatedDuration = estimatedDuration;
            return this;
        }

        /**
         * Sets how heavy a typical run is.
         *
         * @param resourceUsage the estimate
         * @return this builder
         */
        public Builder resourceUsage(ResourceUsage resourceUsage) {
            this.resourceUsage = resourceUsage;
            return this;
        }

        /**
         * Sets the JSON Schema (draft 2020-12) of the parameters, as JSON text.
         *
         * @param parametersSchema the schema
         * @return this builder
         */
        public Builder parametersSchema(String parametersSchema) {
            this.parametersSchema = parametersSchema;
            return this;
        }

        /**
         * Sets an example parameters object, as JSON text; it must validate against the schema.
         *
         * @param exampleParameters the example
         * @return this builder
         */
        public Builder exampleParameters(String exampleParameters) {
            this.exampleParameters = exampleParameters;
            return this;
        }

        /**
         * Builds the descriptor.
         *
         * @return the descriptor
         * @throws IllegalArgumentException naming every missing or malformed part
         */
        public TemplateDescriptor build() {
            return new TemplateDescriptor(
                    type,
                    name,
                    description,
                    category,
                    icon,
                    riskLevel,
                    destructive,
                    estimatedDuration,
                    resourceUsage,
                    parametersSchema,
                    exampleParameters);
        }
    }
}
