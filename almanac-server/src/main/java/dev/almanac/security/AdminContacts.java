package dev.almanac.security;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Where the super admins are reached, for the system jobs that write to them. */
@Component
public class AdminContacts {

    private static final String SUPER_ADMIN_EMAILS = """
            SELECT email FROM users
             WHERE role = 'SUPER_ADMIN' AND enabled = TRUE AND email IS NOT NULL
             ORDER BY username
            """;

    private final JdbcClient jdbc;

    AdminContacts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The e-mail addresses of the enabled super admins that have one, in the order of their user names. */
    public List<String> superAdminEmails() {
        return jdbc.sql(SUPER_ADMIN_EMAILS).query(String.class).list();
    }
}
