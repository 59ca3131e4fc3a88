package dev.almanac.security.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Permissions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** User management (super admins only, by the filter chain), and who the caller is (everyone with access). */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Users", description = "Who may log in, with which role (super admins)")
public class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    /** A user as the API shows it: never the password hash. */
    record UserView(
            String id,
            String username,

            @Schema(allowableValues = {"SUPER_ADMIN", "ADMIN", "USER"})
            String role,

            boolean enabled,

            @Schema(description = "Where Almanac tells them what is addressed to their role (the daily summary)")
            String email,

            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("updated_at") Instant updatedAt,
            @JsonProperty("last_login_at") Instant lastLoginAt,
            @JsonProperty("locked_until") Instant lockedUntil) {

        static UserView of(User user) {
            return new UserView(
                    user.id().toString(),
                    user.username(),
                    user.role().name(),
                    user.enabled(),
                    user.email(),
                    user.createdAt(),
                    user.updatedAt(),
                    user.lastLoginAt(),
                    user.lockedUntil());
        }
    }

    /** A new user, or the fields of a user to change (on update every field is optional). */
    record UserRequest(
            String username,

            @Schema(description = "12 characters or more", example = "correct horse battery staple")
            String password,

            @Schema(allowableValues = {"SUPER_ADMIN", "ADMIN", "USER"})
            String role,

            Boolean enabled,

            @Schema(description = "Optional; on update an empty string removes it", example = "alice@example.com")
            String email,

            @Schema(
                    description = "On update, true lifts a lock after failed logins (so does a new password, or"
                            + " enabling a disabled user)")
            Boolean unlock) {}

    record UserEnvelope(UserView user, String message) {}

    record UserList(List<UserView> users) {}

    /** The caller. */
    record Me(
            String username,
            String role,
            @JsonProperty("read_only") boolean readOnly) {}

    @GetMapping("/me")
    @Operation(summary = "Who you are logged in as, with which role")
    Me me() {
        String name = CurrentActor.name();
        // a USER reaches this only through a role in some namespace
        Role role = Permissions.has(Role.SUPER_ADMIN)
                ? Role.SUPER_ADMIN
                : Permissions.has(Role.ADMIN) ? Role.ADMIN : Role.USER;
        return new Me(name, role.name(), !hasWrite());
    }

    @GetMapping("/users")
    @Operation(summary = "List users")
    UserList list() {
        return new UserList(users.list().stream().map(UserView::of).toList());
    }

    @GetMapping("/users/{id}")
    @Operation(summary = "Read a user")
    UserEnvelope get(@PathVariable String id) {
        return new UserEnvelope(UserView.of(users.get(userId(id))), null);
    }

    @PostMapping(path = "/users", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a user")
    @ApiResponse(responseCode = "201", description = "Created")
    ResponseEntity<UserEnvelope> create(@RequestBody UserRequest request) {
        User user = users.create(
                request.username(), request.password(), request.role(), request.enabled(), request.email());
        return ResponseEntity.created(URI.create("/api/admin/scheduler/users/" + user.id()))
                .body(new UserEnvelope(UserView.of(user), "User '" + user.username() + "' created"));
    }

    @PutMapping(path = "/users/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Change a user's password, role, enabled flag or e-mail address, or unlock them",
            description = "Fields left out keep their values; the user name cannot change. The last enabled super"
                    + " admin cannot be disabled or demoted. `unlock: true` lifts a lock after failed logins; a new"
                    + " password, or enabling a disabled user, lifts it too.")
    UserEnvelope update(@PathVariable String id, @RequestBody UserRequest request) {
        if (request.username() != null) {
            throw new dev.almanac.common.InvalidInputException("username", "cannot be changed");
        }
        User user = users.update(
                userId(id),
                request.password(),
                request.role(),
                request.enabled(),
                request.email(),
                Boolean.TRUE.equals(request.unlock()));
        return new UserEnvelope(UserView.of(user), "User '" + user.username() + "' updated");
    }

    @DeleteMapping("/users/{id}")
    @Operation(summary = "Delete a user and their API tokens", description = "Not the last enabled super admin.")
    UserEnvelope delete(@PathVariable String id) {
        User user = users.delete(userId(id));
        return new UserEnvelope(UserView.of(user), "User '" + user.username() + "' deleted");
    }

    private static boolean hasWrite() {
        var authentication = org.springframework.security.core.context.SecurityContextHolder.getContext()
                .getAuthentication();
        return authentication != null
                && authentication.getAuthorities().stream().anyMatch(a -> Authorities.WRITE.equals(a.getAuthority()));
    }

    static UUID userId(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException notAnId) {
            throw new NotFoundException("no user with id " + text);
        }
    }
}
