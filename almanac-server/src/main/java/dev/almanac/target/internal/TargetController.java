package dev.almanac.target.internal;

import dev.almanac.target.Targets;
import dev.almanac.template.TargetDescription;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The configured targets and their allowlists, read-only and without URLs or credentials. */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Targets", description = "The databases templates may act on, as the operator configured them")
public class TargetController {

    /** One allowed table and its allowed columns. */
    record TableView(String name, List<String> columns) {}

    /** One target, without URL or credentials. */
    record TargetView(String name, String product, String description, List<TableView> tables) {
        static TargetView of(TargetDescription target) {
            return new TargetView(
                    target.name(),
                    target.product(),
                    target.description(),
                    target.columns().entrySet().stream()
                            .map(table -> new TableView(table.getKey(), table.getValue()))
                            .toList());
        }
    }

    /** Every target. */
    record TargetList(List<TargetView> targets) {}

    private final Targets targets;

    TargetController(Targets targets) {
        this.targets = targets;
    }

    @GetMapping("/targets")
    @Operation(
            summary = "The target databases and their allowed tables and columns",
            description = "What database_cleanup, data_export, report_generation and backup may name. Configured by"
                    + " the operator (almanac.targets.*); no URL or credential is ever shown.")
    @ApiResponse(responseCode = "200", description = "The targets, in configured order")
    TargetList list() {
        return new TargetList(targets.targets().stream().map(TargetView::of).toList());
    }
}
