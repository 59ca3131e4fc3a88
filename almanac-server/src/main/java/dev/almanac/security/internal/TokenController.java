package dev.almanac.security.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Permissions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's personal API tokens. A super admin may also revoke anyone's token. Tokens are the global roles', as on
 * the tokens page: a user whose only roles are in namespaces, and any token limited to namespaces (whoever owns it),
 * may not create, list or revoke one (403).
 */
@RestController
@RequestMapping(path = "/api/admin/scheduler/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "API tokens", description = "Personal tokens for scripts: Authorization: Bearer <token>")
@ApiResponse(
        responseCode = "403",
        description = "A user whose only roles are in namespaces, or a token limited to namespaces",
        content = @Content(mediaType = "application/problem+json"))
public class TokenController {

    private final ApiTokenService tokens;
    private final UserService users;
    private final AuditTrail audit;
    private final Clock clock;

    TokenController(ApiTokenService tokens, UserService users, AuditTrail audit, Clock clock) {
        this.tokens = tokens;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
    }

    record TokenRequest(
            @Schema(example = "deploy pipeline") String name,

            @JsonProperty("expires_at")
            @Schema(description = "Default: 90 days from now; at most the configured maximum lifetime")
            Instant expiresAt,

            @JsonProperty("read_only") @Schema(description = "Only GET requests (and schedule previews)")
            Boolean readOnly,

            @Schema(
                    description = "Limits the token to these namespaces; absent: everything its user may reach",
                    example = "[\"team-a\"]")
            List<String> namespaces) {}

    record TokenView(
            String id,
            String name,

            @Schema(description = "The first characters of the token, to recognise it")
            String prefix,

            @JsonProperty("read_only") boolean readOnly,
            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("expires_at") Instant expiresAt,
            @JsonProperty("last_used_at") Instant lastUsedAt,
            @JsonProperty("revoked_at") Instant revokedAt,

            @Schema(allowableValues = {"active", "expired", "revoked"})
            String status,

            @Schema(description = "The namespaces the token is limited to; null: not limited")
            List<String> namespaces) {

        static TokenView of(ApiToken token, Instant now) {
            return new TokenView(
                    token.id().toString(),
                    token.name(),
                    token.prefix(),
                    token.readOnly(),
                    token.createdAt(),
                    token.expiresAt(),
                    token.lastUsedAt(),
                    token.revokedAt(),
                    token.statusAt(now),
                    token.namespaces() == null
                            ? null
                            : token.namespaces().stream().sorted().toList());
        }
    }

    record CreatedToken(
            TokenView token,

            @Schema(description = "The token itself; shown this once")
            String secret,

            String message) {}

    record TokenEnvelope(TokenView token, String message) {}

    record TokenList(List<TokenView> tokens) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Create a personal API token",
            description = "The answer holds the token once; only its hash is kept.")
    @ApiResponse(
            responseCode = "201",
            content =
                    @Content(
                            examples =
                                    @ExampleObject(
                                            "{\"token\":{\"id\":\"5f0c...\",\"name\":\"deploy\",\"prefix\":\"alm_Xy12abCd\",\"read_only\":false,"
                                                    + "\"status\":\"active\"},\"secret\":\"alm_Xy12abCd...\",\"message\":\"Copy the token now: it is not shown again\"}")))
    ResponseEntity<CreatedToken> create(@RequestBody TokenRequest request) {
        requireMayManageTokens("create an API token");
        User me = currentUser();
        ApiTokenService.Created created = tokens.create(
                me, request.name(), request.expiresAt(), Boolean.TRUE.equals(request.readOnly()), request.namespaces());
        return ResponseEntity.created(URI.create(
                        "/api/admin/scheduler/tokens/" + created.token().id()))
                .body(new CreatedToken(
                        TokenView.of(created.token(), clock.instant()),
                        created.secret(),
                        "Copy the token now: it is not shown again"));
    }

    @GetMapping
    @ApiResponse(responseCode = "200", description = "Your tokens, or with owner those of that user")
    @ApiResponse(responseCode = "400", description = "owner names no user")
    @ApiResponse(responseCode = "403", description = "owner given by someone who is not a super admin")
    @Operation(
            summary = "Your API tokens, newest first",
            description = "A super admin may list another user's with ?owner=<username>, to revoke one of them.")
    TokenList list(@RequestParam(name = "owner", required = false) String owner) {
        requireMayManageTokens("list API tokens");
        User whose = currentUser();
        if (owner != null && !owner.equals(whose.username())) {
            whose = otherOwner(owner);
        }
        Instant now = clock.instant();
        return new TokenList(
                tokens.of(whose).stream().map(t -> TokenView.of(t, now)).toList());
    }

    private User otherOwner(String owner) {
        if (!Permissions.has(Role.SUPER_ADMIN)) {
            String reason = "only super admins may list another user's API tokens";
            audit.record(
                    AuditTrail.currentActorName(),
                    "access.denied",
                    AuditTrail.DENIED,
                    AuditTrail.Target.of("user", null, owner),
                    Map.of("action", "list another user's API tokens", "reason", reason));
            throw new ForbiddenException(reason);
        }
        return users.find(owner).orElseThrow(() -> new InvalidInputException("owner", "no user named " + owner));
    }

    @DeleteMapping("/{id}")
    @ApiResponse(responseCode = "200", description = "The token, revoked")
    @Operation(summary = "Revoke a token", description = "Yours; a super admin may revoke anyone's.")
    TokenEnvelope revoke(@PathVariable String id) {
        requireMayManageTokens("revoke an API token");
        UUID tokenId;
        try {
            tokenId = UUID.fromString(id);
        } catch (IllegalArgumentException notAnId) {
            throw new NotFoundException("no token with id " + id);
        }
        ApiToken token = tokens.revoke(tokenId, currentUser(), Permissions.has(Role.SUPER_ADMIN));
        return new TokenEnvelope(TokenView.of(token, clock.instant()), "Token '" + token.name() + "' revoked");
    }

    /**
     * Refuses whom the tokens page refuses, by the role the request carries: a namespace-only user ({@code USER}),
     * and a token limited to namespaces, which carries no global role whatever its owner's (it may not widen itself
     * into an unlimited token, nor read or revoke its owner's others). Audited as {@code access.denied}.
     */
    private void requireMayManageTokens(String action) {
        String reason;
        if (Permissions.limitedToNamespaces()) {
            reason =
                    "a token limited to namespaces may not " + action + ": sign in, or use a token that is not limited";
        } else if (Permissions.has(Role.ADMIN) || Permissions.has(Role.SUPER_ADMIN)) {
            return;
        } else {
            reason = "only super admins and admins hold API tokens; a role in a namespace does not give one";
        }
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                null,
                Map.of("action", action, "reason", reason));
        throw new ForbiddenException(reason);
    }

    private User currentUser() {
        return currentUser(users);
    }

    /** The stored user acting in this request, who holds the tokens; for the API and the tokens page. */
    static User currentUser(UserService users) {
        return users.find(CurrentActor.name())
                .orElseThrow(() -> new ForbiddenException("only a user stored in Almanac may hold API tokens"));
    }
}
