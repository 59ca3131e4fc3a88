package dev.almanac;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The features depend on each other only through their top-level packages, and never in a cycle. */
class ModuleStructureTests {

    @Test
    void featuresRespectTheirBoundaries() {
        ApplicationModules.of(AlmanacApplication.class).verify();
    }
}
