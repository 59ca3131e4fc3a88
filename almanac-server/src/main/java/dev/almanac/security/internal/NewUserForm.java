package dev.almanac.security.internal;

/**
 * The users page's "Create a user" form, bound by Spring. The rules for each field live in {@link UserService}, which
 * the REST API shares, so the page reports the service's errors, all at once, rather than checking a copy of them here.
 */
record NewUserForm(String username, String password, String role, String email) {

    /** The empty form, with the role most new users get. */
    static NewUserForm blank() {
        return new NewUserForm("", null, Role.ADMIN.name(), "");
    }
}
