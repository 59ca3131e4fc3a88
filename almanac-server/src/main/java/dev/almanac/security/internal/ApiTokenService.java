package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.NamespaceAccess;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Personal API tokens: {@code alm_} and 43 random base64url characters (256 bits), shown once at creation. Only a
 * SHA-256 of the token is stored; a token is that random, so a slow hash would add nothing but latency.
 */
@Service
public class ApiTokenService {

    static final String PREFIX = "alm_";
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);

    private final ApiTokenRepository tokens;
    private final TokenCache cache;
    private final TokenSignals signals;
    private final TokenUsage usage;
    private final AuditTrail audit;
    private final SecurityProperties properties;
    private final NamespaceAccess access;
    private final DatabaseAvailability database;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiTokenService(
            ApiTokenRepository tokens,
            TokenCache cache,
            TokenSignals signals,
            TokenUsage usage,
            AuditTrail audit,
            SecurityProperties properties,
            NamespaceAccess access,
            DatabaseAvailability database,
            Clock clock) {
        this.tokens = tokens;
        this.cache = cache;
        this.signals = signals;
        this.usage = usage;
        this.audit = audit;
        this.properties = properties;
        this.access = access;
        this.database = database;
        this.clock = clock;
    }

    /** A token just created: the stored record, and the secret itself, which is never shown again. */
    record Created(ApiToken token, String secret) {}

    @Transactional
    public Created create(User owner, String name, Instant expiresAt, boolean readOnly) {
        return create(owner, name, expiresAt, readOnly, null);
    }

    /**
     * Creates a token; {@code namespaces}, when not null, limits it to those namespaces, each one the creator may
     * see. The API refuses a limited token this (TokenController); should one get here all the same, what it creates
     * is limited at least as much: absent, it takes the creator's limit.
     */
    @Transactional
    public Created create(User owner, String name, Instant expiresAt, boolean readOnly, List<String> namespaces) {
        Instant now = now();
        List<FieldError> errors = new ArrayList<>();
        Set<String> limit = namespaces == null ? currentLimit() : new TreeSet<>();
        if (namespaces != null) {
            for (int i = 0; i < namespaces.size(); i++) {
                if (namespaces.get(i) == null) {
                    errors.add(new FieldError("namespaces[" + i + "]", "must be a namespace's name, not null"));
                } else {
                    limit.add(namespaces.get(i));
                }
            }
        }
        if (namespaces != null && namespaces.isEmpty()) {
            errors.add(new FieldError("namespaces", "must name at least one namespace, or be left out for no limit"));
        }
        if (limit != null) {
            NamespaceAccess.Scope visible = access.visible();
            for (String namespace : limit) {
                if (!visible.includes(namespace) || !access.exists(namespace)) {
                    // a hidden namespace is answered like a missing one
                    errors.add(new FieldError("namespaces", "no namespace named '" + namespace + "'"));
                }
            }
        }
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            errors.add(new FieldError("name", "must be 1 to 100 characters"));
        }
        Instant expiry = expiresAt == null
                ? now.plus(min(DEFAULT_LIFETIME, properties.tokenMaxLifetime()))
                : expiresAt.truncatedTo(ChronoUnit.MILLIS);
        if (!expiry.isAfter(now)) {
            errors.add(new FieldError("expires_at", "must be in the future"));
        } else if (expiry.isAfter(now.plus(properties.tokenMaxLifetime()))) {
            errors.add(new FieldError(
                    "expires_at",
                    "must be at most " + properties.tokenMaxLifetime().toDays() + " days from now"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiToken token = new ApiToken(
                UUID.randomUUID(),
                owner.id(),
                trimmed,
                secret.substring(0, PREFIX.length() + 8),
                readOnly,
                now,
                expiry,
                null,
                null,
                limit == null ? null : Set.copyOf(limit));
        tokens.insert(token, hash(secret));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("owner", owner.username());
        details.put("prefix", token.prefix());
        details.put("read_only", readOnly);
        details.put("expires_at", expiry.toString());
        if (limit != null) {
            details.put("namespaces", List.copyOf(limit));
        }
        audit.record("token.created", target(token), details);
        return new Created(token, secret);
    }

    /** The owner's tokens; "last used" includes uses on this node not yet written. */
    @Transactional(readOnly = true)
    public List<ApiToken> of(User owner) {
        return tokens.ofUser(owner.id()).stream().map(this::withPendingUse).toList();
    }

    private ApiToken withPendingUse(ApiToken token) {
        Instant pending = usage.pendingFor(token.id());
        if (pending == null || (token.lastUsedAt() != null && !pending.isAfter(token.lastUsedAt()))) {
            return token;
        }
        return new ApiToken(
                token.id(),
                token.userId(),
                token.name(),
                token.prefix(),
                token.readOnly(),
                token.createdAt(),
                token.expiresAt(),
                pending,
                token.revokedAt(),
                token.namespaces());
    }

    /**
     * Revokes a token of {@code owner}, or of anyone when {@code anyOwner}; revoking twice is harmless. Another user's
     * token is answered like a token that does not exist, so its existence is not revealed, but the attempt is
     * recorded as {@code access.denied} (kept although the 404 ends the transaction).
     */
    @Transactional(noRollbackFor = NotFoundException.class)
    public ApiToken revoke(UUID id, User owner, boolean anyOwner) {
        ApiToken token = tokens.find(id).orElseThrow(() -> new NotFoundException("no token with id " + id));
        if (!anyOwner && !token.userId().equals(owner.id())) {
            audit.record(
                    owner.username(),
                    "access.denied",
                    AuditTrail.DENIED,
                    target(token),
                    Map.of(
                            "action",
                            "revoke token",
                            "reason",
                            "the token belongs to another user; answered 404",
                            "prefix",
                            token.prefix()));
            throw new NotFoundException("no token with id " + id);
        }
        if (tokens.revoke(id, now())) {
            signals.tokenRevoked(id);
            // a super admin may revoke anyone's token: the event names whose it was
            String tokenOwner = token.userId().equals(owner.id())
                    ? owner.username()
                    : tokens.ownerName(id).orElse(token.userId().toString());
            audit.record("token.revoked", target(token), Map.of("prefix", token.prefix(), "owner", tokenOwner));
        }
        return withPendingUse(tokens.find(id).orElseThrow());
    }

    public Optional<ApiTokenRepository.Owned> authenticate(String secret) {
        return authenticate(secret, false);
    }

    /**
     * The token's owner and scope, when the token exists, is neither revoked nor expired, and its user is enabled. A
     * token verified in the last moments comes from the {@link TokenCache} without the database; its expiry is checked
     * on every use all the same, and its use is noted for the next batch of "last used" times.
     *
     * <p>While the database is known to be away, a {@code read} trusts a token this node verified before, whatever
     * its age in the cache (a revocation or user change heard here has evicted it; one made on another node during
     * the outage cannot be heard): the Prometheus scrape, the one authenticated endpoint that answers then, still
     * shows the node's heartbeat age instead of waiting for a connection and failing.
     */
    public Optional<ApiTokenRepository.Owned> authenticate(String secret, boolean read) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        String hash = hash(secret);
        Instant now = clock.instant();
        Optional<ApiTokenRepository.Owned> found = read && database.down()
                ? cache.kept(hash).or(() -> verify(hash, now))
                : cache.get(hash, now).or(() -> verify(hash, now));
        if (found.isPresent() && !found.get().token().statusAt(now).equals("active")) {
            cache.evict(hash);
            return Optional.empty();
        }
        found.ifPresent(owned -> usage.used(owned.token().id(), now.truncatedTo(ChronoUnit.MILLIS)));
        return found;
    }

    /** Why a token was refused, for the audit trail: a stored token with its owner, or none when it is unknown. */
    record Refusal(ApiToken token, String owner, String reason) {}

    /**
     * Why {@code secret}, just refused, was refused: a stored token (found by its hash, so only the token itself
     * matches) names itself, its owner and the reason; an unknown one names nothing. Never the token.
     */
    Optional<Refusal> refusal(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return tokens.findByHash(hash(secret)).map(owned -> {
            String status = owned.token().statusAt(now);
            String reason = !status.equals("active")
                    ? status + " token"
                    : !owned.user().enabled() ? "the token's user is disabled" : "unknown token";
            return new Refusal(owned.token(), owned.user().username(), reason);
        });
    }

    // one statement outside any transaction: nothing here is written
    private Optional<ApiTokenRepository.Owned> verify(String hash, Instant now) {
        long stamp = cache.stamp();
        Optional<ApiTokenRepository.Owned> found = tokens.findByHash(hash)
                .filter(owned -> owned.token().statusAt(now).equals("active"))
                .filter(owned -> owned.user().enabled());
        found.ifPresent(owned -> cache.put(hash, owned, now, stamp));
        return found;
    }

    private static Set<String> currentLimit() {
        return SecurityContextHolder.getContext().getAuthentication() instanceof ApiTokenAuthentication token
                ? token.namespaceLimit()
                : null;
    }

    static String hash(String secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static AuditTrail.Target target(ApiToken token) {
        return AuditTrail.Target.of("token", token.id(), token.name());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
