package dev.almanac.security.internal;

import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The first start: with no user in the database, creates the super admin {@code admin} with
 * {@code ALMANAC_ADMIN_PASSWORD}, or with a generated password printed once in the log. Later starts leave users
 * alone, whatever the variable says.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {

    static final String ADMIN = "admin";
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final UserService users;
    private final SecurityProperties properties;

    AdminBootstrap(UserService users, SecurityProperties properties) {
        this.users = users;
        this.properties = properties;
        String configured = properties.adminPassword();
        if (configured != null && !configured.isEmpty()) {
            java.util.List<dev.almanac.common.FieldError> errors = new java.util.ArrayList<>();
            UserService.checkPassword(configured, errors);
            if (!errors.isEmpty()) {
                throw new IllegalStateException(
                        "ALMANAC_ADMIN_PASSWORD " + errors.get(0).message());
            }
        }
    }

    @Override
    public void run(ApplicationArguments args) {
        String configured = properties.adminPassword();
        boolean generated = configured == null || configured.isEmpty();
        String password = generated ? generate() : configured;
        if (!users.createFirstAdmin(ADMIN, password, properties.adminEmail(), generated)) {
            return;
        }
        if (generated) {
            log.warn(
                    "\n\n    Created the super admin '{}' with the generated password:\n\n        {}\n\n"
                            + "    It is shown this once. Sign in with it and Almanac asks you to change it"
                            + " (or start with ALMANAC_ADMIN_PASSWORD set on a fresh database).\n",
                    ADMIN,
                    password);
        } else {
            log.info("Created the super admin '{}' with the password from ALMANAC_ADMIN_PASSWORD", ADMIN);
        }
    }

    private static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
