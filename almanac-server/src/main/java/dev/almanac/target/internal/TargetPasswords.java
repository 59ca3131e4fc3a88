package dev.almanac.target.internal;

import java.util.function.UnaryOperator;

/**
 * The one place a configured target password becomes the password the driver gets. Plain values pass through;
 * sealed values ({@code enc:v1:...}, made with {@code java -jar almanac.jar seal-secret}) are decrypted with the key of
 * {@code ALMANAC_SECRET_KEY}, so a password need not sit in plain text in a configuration file.
 */
public final class TargetPasswords {

    static final String ENCRYPTED_PREFIX = "enc:";

    private TargetPasswords() {}

    public static String reveal(String target, String configured, UnaryOperator<String> decrypt) {
        if (configured == null || !configured.startsWith(ENCRYPTED_PREFIX)) {
            return configured;
        }
        try {
            return decrypt.apply(configured);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "target '" + target + "': cannot decrypt its password: " + e.getMessage(), e);
        }
    }
}
