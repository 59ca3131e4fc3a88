package dev.almanac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.Violations;

/**
 * The features depend on each other only through their top-level packages (never their {@code internal/}), only on
 * the modules their {@code package-info.java} allows, and never in a cycle.
 */
class ModuleStructureTests {

    /** The sample plugin is a third party's jar on the test classpath, not one of our features. */
    static final ApplicationModules MODULES = ApplicationModules.of(
            AlmanacApplication.class, JavaClass.Predicates.resideInAPackage("dev.almanac.sample.."));

    @Test
    void featuresRespectTheirBoundaries() {
        MODULES.verify();
    }

    @Test
    void everyFeatureDeclaresWhatItMayDependOn() throws ClassNotFoundException {
        for (var module : MODULES) {
            String base = module.getBasePackage().getName();
            ApplicationModule declared = Class.forName(base + ".package-info").getAnnotation(ApplicationModule.class);
            assertThat(declared).as("@ApplicationModule on %s", base).isNotNull();
            assertThat(declared.allowedDependencies())
                    .as("allowedDependencies of %s", base)
                    .doesNotContain(ApplicationModule.OPEN_TOKEN);
        }
    }

    @Test
    void aWrongImportFailsTheBuild() {
        // Test classes are left out of a module model by default; this fixture is nothing but test classes.
        var fixture = ApplicationModules.of("dev.almanac.testing.boundaries", location -> true);

        assertThatThrownBy(fixture::verify)
                .isInstanceOf(Violations.class)
                .hasMessageContaining("Module 'billing' depends on module 'ledger'")
                .hasMessageContaining("LedgerRows");
    }
}
