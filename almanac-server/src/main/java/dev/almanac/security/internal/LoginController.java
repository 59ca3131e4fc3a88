package dev.almanac.security.internal;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The login page; Spring Security handles {@code POST /login} and {@code POST /logout}. */
@Controller
@Hidden
public class LoginController {

    @GetMapping("/login")
    String login(
            @RequestParam(required = false) String error,
            @RequestParam(required = false) String locked,
            @RequestParam(required = false) String logout,
            Model model) {
        if (locked != null) {
            model.addAttribute(
                    "error", "Too many failed attempts: this account is locked for a while. Try again later.");
        } else if (error != null) {
            model.addAttribute("error", "Wrong user name or password.");
        }
        if (logout != null) {
            model.addAttribute("notice", "You are logged out.");
        }
        return "login";
    }
}
