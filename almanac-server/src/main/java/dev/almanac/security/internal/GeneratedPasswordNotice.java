package dev.almanac.security.internal;

import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Every admin page says so while the reader still signs in with the generated password: it was printed in a log, and
 * whoever read that log can sign in too.
 */
@ControllerAdvice(annotations = AdminPage.class)
public class GeneratedPasswordNotice {

    /** Absent only in web slice tests, which have no users. */
    private final ObjectProvider<UserService> users;

    GeneratedPasswordNotice(ObjectProvider<UserService> users) {
        this.users = users;
    }

    @ModelAttribute
    void notice(HttpServletRequest request, Model model) {
        if (!HtmxRequest.fromRequest(request).isHtmxRequest()) {
            UserService service = users.getIfAvailable();
            model.addAttribute(
                    "generatedPassword", service != null && service.hasGeneratedPassword(request.getRemoteUser()));
        }
    }
}
