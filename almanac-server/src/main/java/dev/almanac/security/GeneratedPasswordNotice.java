package dev.almanac.security;

import dev.almanac.web.AdminPage;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Every admin page says so while the reader still signs in with the generated password: it was printed in a log, and
 * whoever read that log can sign in too.
 */
@ControllerAdvice(annotations = AdminPage.class)
class GeneratedPasswordNotice {

    private final UserService users;

    GeneratedPasswordNotice(UserService users) {
        this.users = users;
    }

    @ModelAttribute
    void notice(HttpServletRequest request, Model model) {
        if (request.getHeader("HX-Request") == null) {
            model.addAttribute("generatedPassword", users.hasGeneratedPassword(request.getRemoteUser()));
        }
    }
}
