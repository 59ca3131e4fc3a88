package dev.almanac.common;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): new rows land at the right edge of their index instead of at random
 * pages, and ids sort roughly by creation time.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** A client-supplied id; anything that is not a UUID in its canonical form names nothing. */
    public static Optional<UUID> parse(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException notAUuid) {
            return Optional.empty();
        }
    }

    public static UUID timeOrdered() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
