package dev.almanac.security.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The API tokens page of the admin UI: the signed-in user's own tokens, created and revoked through
 * {@link ApiTokenService}, like the REST API. A new token is shown once: it travels to the page after the redirect as
 * a flash attribute, which the next request consumes, and is never stored in clear.
 */
@AdminPage
@RequestMapping("/tokens")
public class TokenPages {

    static final List<Integer> LIFETIME_DAYS = List.of(7, 30, 90, 180, 365);

    private final ApiTokenService tokens;
    private final UserService users;
    private final SecurityProperties properties;
    private final CurrentNamespace namespaces;
    private final Clock clock;

    TokenPages(
            ApiTokenService tokens,
            UserService users,
            SecurityProperties properties,
            CurrentNamespace namespaces,
            Clock clock) {
        this.tokens = tokens;
        this.users = users;
        this.properties = properties;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    @GetMapping
    String list(Model model) {
        return page(Map.of(), "", defaultDays(), false, List.of(), model);
    }

    @PostMapping
    String create(
            @ModelAttribute("newToken") NewTokenForm form,
            BindingResult binding,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        // a lifetime that is no number is a binding error that may leave no form; the binding result keeps the name
        String name = form != null ? form.name() : (String) binding.getFieldValue("name");
        boolean readOnlyScope = form != null && form.readOnlyScope();
        List<String> limit = form != null ? form.namespaceLimit() : null;
        Integer days = form != null && lifetimes().contains(form.expiresInDays()) ? form.expiresInDays() : null;
        if (days == null) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            return page(
                    Map.of("expires_in_days", "choose one of the offered lifetimes"),
                    name,
                    defaultDays(),
                    readOnlyScope,
                    limit,
                    model);
        }
        Instant expiresAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).plus(Duration.ofDays(days));
        try {
            ApiTokenService.Created created =
                    tokens.create(TokenController.currentUser(users), name, expiresAt, readOnlyScope, limit);
            redirect.addFlashAttribute("createdName", created.token().name());
            redirect.addFlashAttribute("createdSecret", created.secret());
            return "redirect:/tokens";
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            Map<String, String> errors = new LinkedHashMap<>();
            for (FieldError error : invalid.errors()) {
                errors.putIfAbsent(
                        error.field().equals("expires_at") ? "expires_in_days" : error.field(), error.message());
            }
            return page(errors, name, days, readOnlyScope, limit, model);
        }
    }

    @GetMapping("/{id}/revoke")
    String confirmRevoke(@PathVariable String id, HtmxRequest htmx, Model model) {
        model.addAttribute("token", own(id));
        return htmx.isHtmxRequest() ? "tokens/revoke :: dialog" : "tokens/revoke";
    }

    @PostMapping("/{id}/revoke")
    String revoke(@PathVariable String id, RedirectAttributes redirect) {
        ApiToken token = tokens.revoke(tokenId(id), TokenController.currentUser(users), false);
        redirect.addFlashAttribute(
                "flash", "Token '" + token.name() + "' revoked: requests that send it are refused from now on");
        return "redirect:/tokens";
    }

    private String page(
            Map<String, String> errors, String name, int days, boolean readOnly, List<String> limit, Model model) {
        Instant now = clock.instant();
        model.addAttribute(
                "tokens",
                tokens.of(TokenController.currentUser(users)).stream()
                        .map(token -> TokenController.TokenView.of(token, now))
                        .toList());
        model.addAttribute("errors", errors);
        model.addAttribute("name", name == null ? "" : name);
        model.addAttribute("days", days);
        model.addAttribute("readOnly", readOnly);
        model.addAttribute("lifetimes", lifetimes());
        model.addAttribute("namespaceOptions", namespaces.options());
        model.addAttribute("limit", limit == null ? List.of() : limit);
        return "tokens/list";
    }

    /** A token of the current user; anyone else's does not exist here. */
    private TokenController.TokenView own(String id) {
        UUID tokenId = tokenId(id);
        Instant now = clock.instant();
        return tokens.of(TokenController.currentUser(users)).stream()
                .filter(token -> token.id().equals(tokenId))
                .findFirst()
                .map(token -> TokenController.TokenView.of(token, now))
                .orElseThrow(() -> new NotFoundException("no token with id " + id));
    }

    /** The lifetimes offered, in days: the usual ones up to the configured maximum, and the maximum itself. */
    private List<Integer> lifetimes() {
        long max = properties.tokenMaxLifetime().toDays();
        List<Integer> offered = new ArrayList<>();
        for (int days : LIFETIME_DAYS) {
            if (days <= max) {
                offered.add(days);
            }
        }
        if (max >= 1 && !offered.contains((int) max)) {
            offered.add((int) max);
        }
        return offered;
    }

    private int defaultDays() {
        long days = ApiTokenService.DEFAULT_LIFETIME.toDays();
        List<Integer> offered = lifetimes();
        return offered.contains((int) days) ? (int) days : offered.isEmpty() ? 1 : offered.get(offered.size() - 1);
    }

    private static UUID tokenId(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException notAnId) {
            throw new NotFoundException("no token with id " + text);
        }
    }
}
