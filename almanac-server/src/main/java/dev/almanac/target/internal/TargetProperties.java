package dev.almanac.target.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The target databases templates may act on ({@code almanac.targets.<name>.*}) and the demo target
 * ({@code almanac.demo-target.*}).
 *
 * @param targets the targets by name
 * @param demoTarget the built-in demo database
 */
@ConfigurationProperties("almanac")
public record TargetProperties(
        Map<String, Target> targets, @DefaultValue DemoTarget demoTarget) {

    public TargetProperties {
        targets = targets == null ? Map.of() : new LinkedHashMap<>(targets);
    }

    /**
     * One target.
     *
     * @param url the JDBC URL
     * @param user the user
     * @param password the password; {@code enc:...} values are decrypted by the security feature
     * @param description what the target is, for the UI
     * @param tables allowed tables with, for each, the allowed columns
     * @param maxConnections the most connections Almanac opens to it at once
     * @param namespaces the namespaces whose jobs may use it; empty (the default): every namespace
     */
    public record Target(
            String url,
            String user,
            String password,
            String description,
            Map<String, List<String>> tables,
            @DefaultValue("4") int maxConnections,
            List<String> namespaces) {

        @ConstructorBinding
        public Target {
            tables = tables == null ? Map.of() : new LinkedHashMap<>(tables);
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        }

        /** A target open to every namespace. */
        public Target(
                String url,
                String user,
                String password,
                String description,
                Map<String, List<String>> tables,
                int maxConnections) {
            this(url, user, password, description, tables, maxConnections, null);
        }
    }

    /**
     * The demo target: an H2 database under the data directory with sample tables, created at first start.
     *
     * @param enabled whether to create and offer it
     * @param name the target name it is offered under
     * @param rows how many users it starts with (the other tables grow with it)
     * @param namespaces the namespaces whose jobs may use it; empty (the default): every namespace
     */
    public record DemoTarget(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("demo") String name,
            @DefaultValue("500") int rows,
            List<String> namespaces) {

        public DemoTarget {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        }
    }
}
