package dev.almanac.security.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Logins, tokens, limits and secrets ({@code almanac.security.*}; see the README's configuration table).
 *
 * @param adminPassword the first super admin's password ({@code ALMANAC_ADMIN_PASSWORD}); empty: generated
 * @param adminEmail the first super admin's e-mail address ({@code ALMANAC_ADMIN_EMAIL}), for the daily summary
 * @param basicAuthEnabled accept HTTP Basic with a user's password on {@code /api/**}
 * @param apiRequestsPerMinute API requests one user or token may make per minute; 0: no limit
 * @param manualRunsPerHour manual runs one user may start per hour; 0: no limit
 * @param dryRunsPerHour dry runs one user may start per hour, counted apart from the manual runs; 0: no limit
 * @param jobQuota jobs one user may have created (and not deleted); 0: no limit
 * @param loginMaxFailures failed logins in a row after which the account is locked for a while
 * @param loginLockDuration how long such a lock lasts
 * @param tokenMaxLifetime the longest an API token may live (and its default lifetime is 90 days within it)
 * @param tokenCacheTtl how long a verified API token is trusted without the database; revocations, expiry and user
 *     changes still take effect at once (0: no cache)
 * @param tokenCacheSize how many verified tokens are kept at most
 * @param tokenUsageFlushInterval how often the tokens' "last used" times are written, in one batch
 * @param secretKey the AES-256 key secrets are sealed with, base64; empty: a generated one kept in the data dir
 * @param previousSecretKeys earlier keys, comma-separated, still read so a rotation can re-seal with the new key
 */
@ConfigurationProperties("almanac.security")
public record SecurityProperties(
        String adminPassword,
        @DefaultValue("true") boolean basicAuthEnabled,
        @DefaultValue("600") int apiRequestsPerMinute,
        @DefaultValue("10") int manualRunsPerHour,
        @DefaultValue("60") int dryRunsPerHour,
        @DefaultValue("100") int jobQuota,
        @DefaultValue("5") int loginMaxFailures,
        @DefaultValue("15m") Duration loginLockDuration,
        @DefaultValue("365d") Duration tokenMaxLifetime,
        @DefaultValue("30s") Duration tokenCacheTtl,
        @DefaultValue("10000") int tokenCacheSize,
        @DefaultValue("5s") Duration tokenUsageFlushInterval,
        String secretKey,
        String previousSecretKeys,
        String adminEmail) {}
