package dev.almanac;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.ApplicationModule;
import org.springframework.modulith.docs.Documenter;
import org.springframework.modulith.docs.Documenter.DiagramOptions;
import org.springframework.modulith.docs.Documenter.DiagramOptions.DiagramStyle;

/**
 * Writes the module diagrams into {@code almanac-server/target/spring-modulith-docs} at every build, and keeps {@code
 * docs/architecture.md} honest: its module table names every module with exactly the dependencies its {@code
 * package-info.java} allows, and its diagram has the arrows of the generated {@code components.puml}.
 */
class ArchitectureDocumentationTests {

    static final Path GUIDE = Path.of("..", "docs", "architecture.md");

    @Test
    void writesTheModuleDiagramThatTheGuideShows() throws IOException {
        new Documenter(ModuleStructureTests.MODULES)
                .writeModulesAsPlantUml(DiagramOptions.defaults().withStyle(DiagramStyle.UML))
                .writeIndividualModulesAsPlantUml();

        Path diagram = Path.of("target", "spring-modulith-docs", "components.puml");
        assertThat(arrows(Files.readString(GUIDE)))
                .as("the arrows of the diagram in %s; copy %s over it", GUIDE, diagram.toAbsolutePath())
                .isEqualTo(arrows(Files.readString(diagram)));
    }

    private static Set<String> arrows(String plantUml) {
        return plantUml.lines().filter(line -> line.contains(" --> ")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theGuideListsEveryModuleWithTheDependenciesItMayHave() throws IOException, ClassNotFoundException {
        String guide = Files.readString(GUIDE);
        for (var module : ModuleStructureTests.MODULES) {
            String base = module.getBasePackage().getName();
            String[] allowed = Class.forName(base + ".package-info")
                    .getAnnotation(ApplicationModule.class)
                    .allowedDependencies();
            String row = "| `" + base.substring("dev.almanac.".length()) + "` | "
                    + Arrays.stream(allowed).sorted().map(d -> "`" + d + "`").collect(Collectors.joining(", "))
                    + " |";
            assertThat(guide).as("the row of %s in %s", base, GUIDE).contains(row);
        }
    }
}
