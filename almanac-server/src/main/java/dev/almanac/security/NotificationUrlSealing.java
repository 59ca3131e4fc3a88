package dev.almanac.security;

import dev.almanac.security.internal.SecretUpgrade;
import java.util.List;

/**
 * The notifications' rule for which recipients are secrets (webhook and Slack URLs) and how they are sealed, offered
 * to this package: the job feature owns the rule, {@link SecretUpgrade} applies it to rows stored before it existed.
 */
public interface NotificationUrlSealing {

    /** These recipients with every plain URL sealed (its scheme and host as the label), all others as they were. */
    List<String> sealUrls(List<String> recipients);
}
