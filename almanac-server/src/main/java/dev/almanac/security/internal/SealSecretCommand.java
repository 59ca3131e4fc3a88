package dev.almanac.security.internal;

import dev.almanac.security.Secrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * {@code java -jar almanac.jar seal-secret}: reads one value from standard input and prints it sealed with the key of
 * {@code ALMANAC_SECRET_KEY} ({@code enc:v1:...}), for configuration that must not hold a password in plain text,
 * such as a target's {@code ALMANAC_TARGETS_<NAME>_PASSWORD}. Almanac decrypts it when it connects.
 */
@Component
public class SealSecretCommand implements ApplicationRunner {

    static final String COMMAND = "seal-secret";

    private final Secrets secrets;
    private final ApplicationContext context;

    SealSecretCommand(Secrets secrets, ApplicationContext context) {
        this.secrets = secrets;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (!args.getNonOptionArgs().contains(COMMAND)) {
            return;
        }
        String plain = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        int code = 0;
        if (plain == null || plain.isEmpty()) {
            System.err.println("seal-secret: give the value on standard input, e.g. printf %s \"$PASSWORD\" | java -jar"
                    + " almanac.jar seal-secret");
            code = 2;
        } else {
            System.out.println(secrets.seal(plain));
        }
        int exit = code;
        System.exit(SpringApplication.exit(context, () -> exit));
    }
}
