package dev.almanac.notify.internal;

import dev.almanac.common.NotFoundException;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.web.AdminPage;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** The notifications panel of an execution's page, loaded into it by htmx. */
@AdminPage
@Controller
public class NotificationPages {

    private final NotificationRepository attempts;
    private final ExecutionService executions;

    NotificationPages(NotificationRepository attempts, ExecutionService executions) {
        this.attempts = attempts;
        this.executions = executions;
    }

    @GetMapping("/executions/{id}/notifications")
    String ofExecution(@PathVariable String id, Model model) {
        ExecutionId execution =
                ExecutionId.parse(id).orElseThrow(() -> new NotFoundException("no execution with id " + id));
        model.addAttribute("e", executions.get(execution));
        model.addAttribute("notifications", attempts.ofExecution(execution));
        return "notify/fragments :: executionNotifications";
    }
}
