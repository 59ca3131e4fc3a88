package dev.almanac.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Which Almanac this is, and the newest schema version it knows: the highest {@code V<n>__*.sql} migration it carries
 * (in {@code db/migration}, or in {@code db/vendor/*} for one database). A release whose number here is higher than
 * the one before changes the schema: its upgrade stops every node first (docs/operations-guide.md, "Upgrades").
 */
public final class SchemaVersions {

    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__.*\\.sql");
    private static final String[] LOCATIONS = {"classpath*:db/migration/V*__*.sql", "classpath*:db/vendor/*/V*__*.sql"};

    private static volatile Integer latestKnown;

    private SchemaVersions() {}

    /** This jar's version from its manifest, or {@code development} when run from classes (an IDE, the tests). */
    public static String almanacVersion() {
        String version = SchemaVersions.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** The newest migration this Almanac carries, for any database. */
    public static int latestKnown() {
        Integer latest = latestKnown;
        if (latest == null) {
            latest = scan();
            latestKnown = latest;
        }
        return latest;
    }

    private static int scan() {
        PathMatchingResourcePatternResolver resolver =
                new PathMatchingResourcePatternResolver(SchemaVersions.class.getClassLoader());
        int latest = 0;
        try {
            for (String location : LOCATIONS) {
                for (Resource resource : resolver.getResources(location)) {
                    String name = resource.getFilename();
                    Matcher matcher = name == null ? null : MIGRATION.matcher(name);
                    if (matcher != null && matcher.matches()) {
                        latest = Math.max(latest, Integer.parseInt(matcher.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list the schema migrations on the class path", e);
        }
        return latest;
    }

    /**
     * {@code --almanac.print-schema-version}: prints this Almanac's version and the newest schema version it knows,
     * and starts nothing. True when it was asked for (the caller then exits).
     */
    public static boolean printIfAsked(String[] args) {
        for (String arg : args) {
            if (arg.equals("--almanac.print-schema-version")) {
                System.out.println("Almanac " + almanacVersion() + ", schema version " + latestKnown());
                return true;
            }
        }
        return false;
    }
}
