package dev.almanac.security.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * "Change password", for every signed-in user from the header, and where the first sign-in with the generated admin
 * password lands until it is changed.
 */
@AdminPage
@RequestMapping(PasswordPages.PATH)
public class PasswordPages {

    static final String PATH = "/account/password";

    private final UserService users;

    PasswordPages(UserService users) {
        this.users = users;
    }

    /** The form as posted; its names are the form fields'. */
    record PasswordChange(String currentPassword, String newPassword, String confirmPassword) {}

    @GetMapping
    String form(HttpServletRequest request, Model model) {
        model.addAttribute("form", new PasswordChange(null, null, null));
        return page(request, Map.of(), model);
    }

    @PostMapping
    String change(
            @ModelAttribute("form") PasswordChange form,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            users.changeOwnPassword(
                    request.getRemoteUser(), form.currentPassword(), form.newPassword(), form.confirmPassword());
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            Map<String, String> errors = new LinkedHashMap<>();
            for (FieldError error : invalid.errors()) {
                errors.putIfAbsent(error.field(), error.message());
            }
            model.addAttribute("form", new PasswordChange(null, null, null));
            return page(request, errors, model);
        }
        // this session goes on; the user's other sessions end at their next request
        SessionUsers.stamp(request, users, request.getRemoteUser());
        redirect.addFlashAttribute("flash", "Your password is changed; use it the next time you sign in.");
        boolean scheduler = request.isUserInRole(Role.SUPER_ADMIN.name()) || request.isUserInRole(Role.ADMIN.name());
        return "redirect:" + (scheduler ? "/" : PATH);
    }

    private String page(HttpServletRequest request, Map<String, String> errors, Model model) {
        model.addAttribute("errors", errors);
        model.addAttribute("generated", users.hasGeneratedPassword(request.getRemoteUser()));
        model.addAttribute("minLength", UserService.MIN_PASSWORD_LENGTH);
        return "account/password";
    }
}
