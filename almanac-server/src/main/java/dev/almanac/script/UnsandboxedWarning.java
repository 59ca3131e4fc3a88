package dev.almanac.script;

import dev.almanac.script.internal.ScriptProperties;
import dev.almanac.web.AdminPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The development switch {@code almanac.scripts.unsandboxed} is never quiet: it is logged at every start and every
 * page of the admin UI says so in the layout's banner.
 */
@ControllerAdvice(annotations = AdminPage.class)
class UnsandboxedWarning {

    private static final Logger log = LoggerFactory.getLogger(UnsandboxedWarning.class);

    static final String BANNER = "Scripts run WITHOUT a sandbox on this node (almanac.scripts.unsandboxed=true):"
            + " for development only; a script can read and change everything Almanac can.";

    /** Read on its own, not through {@link ScriptProperties}: page slice tests load this advice without them. */
    private final boolean unsandboxed;

    UnsandboxedWarning(@Value("${almanac.scripts.unsandboxed:false}") boolean unsandboxed) {
        this.unsandboxed = unsandboxed;
    }

    @EventListener(ApplicationReadyEvent.class)
    void sayItAtEveryStart() {
        if (unsandboxed) {
            log.warn(
                    "\n{}\n  {}\n  Remove almanac.scripts.unsandboxed (ALMANAC_SCRIPTS_UNSANDBOXED) outside development.\n{}",
                    "*".repeat(100),
                    BANNER,
                    "*".repeat(100));
        }
    }

    @ModelAttribute
    void banner(Model model) {
        if (unsandboxed) {
            model.addAttribute("scriptsUnsandboxed", BANNER);
        }
    }
}
