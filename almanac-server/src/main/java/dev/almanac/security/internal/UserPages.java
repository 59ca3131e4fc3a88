package dev.almanac.security.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.CurrentActor;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The users page of the admin UI (super admins, by the security chain): who may log in with which role; create,
 * change role, reset password, disable, enable and delete through {@link UserService}, like the REST API, so the
 * same rules hold (the last enabled super admin stays).
 */
@AdminPage
@RequestMapping("/users")
public class UserPages {

    private final UserService users;
    private final Clock clock;

    UserPages(UserService users, Clock clock) {
        this.users = users;
        this.clock = clock;
    }

    /** A user as the page lists it; never the password hash. */
    public record UserRow(
            String id,
            String username,
            String role,
            boolean enabled,
            String email,
            Instant createdAt,
            Instant lastLoginAt,
            Instant lockedUntil,
            boolean me) {}

    @GetMapping
    String list(Model model) {
        return page(Map.of(), NewUserForm.blank(), null, null, model);
    }

    @PostMapping
    String create(
            @ModelAttribute("form") NewUserForm form,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            User user = users.create(form.username(), form.password(), form.role(), true, form.email());
            flash(redirect, "User '" + user.username() + "' created with the role " + label(user.role()), null);
            return "redirect:/users";
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            return page(errors(invalid.errors()), form, null, null, model);
        } catch (ConflictException taken) {
            Refusals.status(response, taken);
            return page(
                    Map.of(taken.field() == null ? "username" : taken.field(), taken.getMessage()),
                    form,
                    null,
                    null,
                    model);
        }
    }

    @PostMapping("/{id}/role")
    String changeRole(
            @PathVariable String id,
            @RequestParam(required = false) String role,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        return change(id, null, role == null ? "" : role, null, null, response, model, redirect);
    }

    @PostMapping("/{id}/password")
    String resetPassword(
            @PathVariable String id,
            @RequestParam(required = false) String password,
            jakarta.servlet.http.HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        String view = change(id, password == null ? "" : password, null, null, null, response, model, redirect);
        if (users.get(UserController.userId(id)).username().equals(request.getRemoteUser())) {
            // an admin who reset their own password goes on in this session; their other sessions end
            SessionUsers.stamp(request, users, request.getRemoteUser());
        }
        return view;
    }

    @PostMapping("/{id}/disable")
    String disable(@PathVariable String id, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        return change(id, null, null, false, null, response, model, redirect);
    }

    @PostMapping("/{id}/enable")
    String enable(@PathVariable String id, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        return change(id, null, null, true, null, response, model, redirect);
    }

    @PostMapping("/{id}/unlock")
    String unlock(@PathVariable String id, RedirectAttributes redirect) {
        User user = users.update(UserController.userId(id), null, null, null, null, true);
        flash(redirect, "'" + user.username() + "' unlocked: they may log in again", null);
        return "redirect:/users";
    }

    @PostMapping("/{id}/email")
    String changeEmail(
            @PathVariable String id,
            @RequestParam(required = false) String email,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        return change(id, null, null, null, email == null ? "" : email, response, model, redirect);
    }

    @GetMapping("/{id}/delete")
    String confirmDelete(@PathVariable String id, HtmxRequest htmx, Model model) {
        model.addAttribute("user", row(users.get(UserController.userId(id))));
        return htmx.isHtmxRequest() ? "users/delete :: dialog" : "users/delete";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable String id, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        UUID userId = UserController.userId(id);
        try {
            User deleted = users.delete(userId);
            flash(redirect, "User '" + deleted.username() + "' deleted, with their API tokens", null);
            return "redirect:/users";
        } catch (ConflictException refused) {
            Refusals.status(response, refused);
            model.addAttribute("user", row(users.get(userId)));
            model.addAttribute("problem", refused.getMessage());
            return "users/delete";
        }
    }

    private String change(
            String id,
            String password,
            String role,
            Boolean enabled,
            String email,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        UUID userId = UserController.userId(id);
        try {
            User user = users.update(userId, password, role, enabled, email);
            String what = email != null
                    ? (user.email() == null
                            ? "'" + user.username() + "' has no e-mail address now"
                            : "E-mail address of '" + user.username() + "' set to " + user.email())
                    : password != null
                            ? "Password of '" + user.username() + "' reset; it works from their next login"
                            : role != null
                                    ? "'" + user.username() + "' is now " + label(user.role())
                                    : "'" + user.username() + "' "
                                            + (user.enabled()
                                                    ? "enabled: they may log in"
                                                    : "disabled: they can no longer log in, nor use their API tokens");
            flash(redirect, what, null);
            return "redirect:/users";
        } catch (InvalidInputException | ConflictException refused) {
            Refusals.status(response, refused);
            String message = refused instanceof InvalidInputException invalid
                    ? invalid.errors().stream()
                            .map(e -> e.field() + " " + e.message())
                            .reduce((a, b) -> a + "; " + b)
                            .orElse("")
                    : refused.getMessage();
            return page(Map.of(), NewUserForm.blank(), userId.toString(), message, model);
        }
    }

    private String page(Map<String, String> errors, NewUserForm form, String problemUser, String problem, Model model) {
        Instant now = clock.instant();
        model.addAttribute(
                "users", users.list().stream().map(user -> row(user, now)).toList());
        model.addAttribute("roles", Arrays.stream(Role.values()).map(Role::name).toList());
        model.addAttribute("errors", errors);
        model.addAttribute("form", form);
        model.addAttribute("problemUser", problemUser);
        model.addAttribute("problem", problem);
        model.addAttribute("minPassword", UserService.MIN_PASSWORD_LENGTH);
        return "users/list";
    }

    private UserRow row(User user) {
        return row(user, clock.instant());
    }

    private static UserRow row(User user, Instant now) {
        return new UserRow(
                user.id().toString(),
                user.username(),
                user.role().name(),
                user.enabled(),
                user.email(),
                user.createdAt(),
                user.lastLoginAt(),
                user.lockedAt(now) ? user.lockedUntil() : null,
                user.username().equals(CurrentActor.name()));
    }

    private static Map<String, String> errors(List<FieldError> errors) {
        Map<String, String> byField = new LinkedHashMap<>();
        errors.forEach(error -> byField.putIfAbsent(error.field(), error.message()));
        return byField;
    }

    static String label(Role role) {
        return switch (role) {
            case SUPER_ADMIN -> "super admin";
            case ADMIN -> "admin";
            case USER -> "user (no access to the scheduler)";
        };
    }

    private static void flash(RedirectAttributes redirect, String message, String kind) {
        redirect.addFlashAttribute("flash", message);
        if (kind != null) {
            redirect.addFlashAttribute("flashKind", kind);
        }
    }
}
