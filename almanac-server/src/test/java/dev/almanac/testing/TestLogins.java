package dev.almanac.testing;

import jakarta.servlet.Filter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Acting as a role in a test: {@code mvc.perform(get(...).with(logins.as(ADMIN)))}. Each role gets a user named
 * {@code test-<role>} and a real API token in the database, so requests pass the real Bearer filter.
 */
public final class TestLogins {

    public static final String SUPER_ADMIN = "SUPER_ADMIN";
    public static final String ADMIN = "ADMIN";
    public static final String USER = "USER";

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public TestLogins(JdbcClient jdbc, PasswordEncoder passwords) {
        this.jdbc = jdbc;
        this.passwords = passwords;
    }

    /** The user name a role acts under. */
    public static String username(String role) {
        return "test-" + role.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A user with this role and password, created if missing; returns its id. */
    public UUID user(String username, String role, String password) {
        return jdbc.sql("SELECT id FROM users WHERE username = :u")
                .param("u", username)
                .query(UUID.class)
                .optional()
                .orElseGet(() -> {
                    UUID id = UUID.randomUUID();
                    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                    jdbc.sql("""
                                    INSERT INTO users (id, username, password_hash, role, enabled, created_at, updated_at,
                                                       failed_login_count)
                                    VALUES (:id, :username, :hash, :role, TRUE, :now, :now, 0)
                                    """)
                            .param("id", id)
                            .param("username", username)
                            .param("hash", password == null ? "{noop}" + UUID.randomUUID() : passwords.encode(password))
                            .param("role", role)
                            .param("now", now)
                            .update();
                    return id;
                });
    }

    /** A full-scope, never-expiring token of the role's test user. */
    public String token(String role) {
        return tokens.computeIfAbsent(role, r -> token(username(r), r, false));
    }

    /** A new token of a (new or existing) user: the secret to send as {@code Bearer}. */
    public String token(String username, String role, boolean readOnly) {
        UUID user = user(username, role, null);
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = "alm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        jdbc.sql("""
                        INSERT INTO api_tokens (id, user_id, name, token_prefix, token_hash, read_only, created_at)
                        VALUES (:id, :user, :name, :prefix, :hash, :read_only, :now)
                        """)
                .param("id", UUID.randomUUID())
                .param("user", user)
                .param("name", "test " + (readOnly ? "read-only " : "") + username)
                .param("prefix", secret.substring(0, 12))
                .param("hash", sha256(secret))
                .param("read_only", readOnly)
                .param("now", OffsetDateTime.now(ZoneOffset.UTC))
                .update();
        return secret;
    }

    /** Sends the role's token, replacing whatever Authorization the request had. */
    public RequestPostProcessor as(String role) {
        String token = token(role);
        return bearer(token);
    }

    public static RequestPostProcessor bearer(String token) {
        return request -> {
            request.removeHeader(HttpHeaders.AUTHORIZATION);
            request.addHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
            return request;
        };
    }

    /** Sends no credentials at all. */
    public static RequestPostProcessor anonymously() {
        return request -> {
            request.removeHeader(HttpHeaders.AUTHORIZATION);
            return request;
        };
    }

    /**
     * A MockMvc with every servlet filter the application has (security, body limits), as {@code @AutoConfigureMockMvc}
     * builds it, that sends {@code token} unless a request says otherwise.
     */
    public static MockMvc mvc(WebApplicationContext context, String token) {
        List<Filter> filters = new ArrayList<>();
        context.getBeansOfType(Filter.class).forEach((name, filter) -> {
            if (!name.equals("springSecurityFilterChain")) {
                filters.add(filter);
            }
        });
        AnnotationAwareOrderComparator.sort(filters);
        return MockMvcBuilders.webAppContextSetup(context)
                .addFilters(filters.toArray(Filter[]::new))
                .apply(SecurityMockMvcConfigurers.springSecurity())
                .defaultRequest(MockMvcRequestBuilders.get("/").header(HttpHeaders.AUTHORIZATION, "Bearer " + token))
                .build();
    }

    static String sha256(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
