package dev.almanac.target;

/**
 * The one place a configured target password becomes the password the driver gets. Plain values pass through;
 * encrypted {@code enc:} values are the security feature's to decrypt, and until it is wired in they are refused
 * rather than sent to a database as they are.
 */
final class TargetPasswords {

    static final String ENCRYPTED_PREFIX = "enc:";

    private TargetPasswords() {}

    static String reveal(String target, String configured) {
        if (configured == null) {
            return null;
        }
        if (configured.startsWith(ENCRYPTED_PREFIX)) {
            throw new IllegalStateException("target '" + target + "': the password is encrypted (" + ENCRYPTED_PREFIX
                    + "...) but this build cannot decrypt it; configure it in plain text or through an environment"
                    + " variable");
        }
        return configured;
    }
}
