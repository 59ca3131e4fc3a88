package dev.almanac.web;

import dev.almanac.web.internal.PageAdvice;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxResponseHeader;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;

/** How a page answers a refusal (4xx) or a failure: in place for htmx, as the error page in the layout otherwise. */
public final class Refusals {

    /** The layout's region for messages about what the reader just did. */
    public static final String ALERTS = "#alerts";

    private Refusals() {}

    /**
     * A refusal where the reader acted: htmx swaps the alert into the layout's {@code #alerts} region (whatever the
     * element that asked targets); a plain request gets the error page, in the layout, with a way back.
     */
    public static String page(
            HttpServletRequest request, HttpServletResponse response, Model model, HttpStatus status, String message) {
        response.setStatus(status.value());
        if (!model.containsAttribute("path")) {
            PageAdvice.layout(request, model);
        }
        model.addAttribute("status", status.value());
        model.addAttribute("error", status.getReasonPhrase());
        model.addAttribute("message", message);
        if (HtmxRequest.fromRequest(request).isHtmxRequest()) {
            response.setHeader(HtmxResponseHeader.HX_RETARGET.getValue(), ALERTS);
            response.setHeader(HtmxResponseHeader.HX_RESWAP.getValue(), "innerHTML");
            return "fragments/alert :: alert";
        }
        model.addAttribute("back", back(request));
        return "error";
    }

    /**
     * A refusal raised as an exception, answered as {@link #page(HttpServletRequest, HttpServletResponse, Model,
     * HttpStatus, String) page} does with the status {@link RefusalStatus} gives it; a {@code Retry-After} is also
     * said on the page.
     */
    public static String page(
            HttpServletRequest request, HttpServletResponse response, Model model, Exception refusal, String message) {
        RefusalStatus answer = status(response, refusal);
        if (answer.retryAfterSeconds() != null) {
            model.addAttribute("retryAfter", RefusalStatus.inWords(answer.retryAfterSeconds()));
        }
        return page(request, response, model, answer.status(), message);
    }

    /**
     * Sets the status of a form shown again over the reader's input with {@code refusal} beside it: the status the
     * refusal answers anywhere else ({@link RefusalStatus}, with its {@code Retry-After}; 400 for one it does not
     * map), so that a refused form is never a 200 to a script, a test or an htmx swap.
     */
    public static RefusalStatus status(HttpServletResponse response, Exception refusal) {
        RefusalStatus answer = RefusalStatus.of(refusal).orElse(RefusalStatus.BAD_INPUT);
        answer.applyTo(response);
        return answer;
    }

    /** The page the reader came from, when it is one of this site's: where the error page offers to go back. */
    private static String back(HttpServletRequest request) {
        String referer = request.getHeader(HttpHeaders.REFERER);
        if (referer == null) {
            return null;
        }
        try {
            URI uri = URI.create(referer);
            if (uri.getHost() != null && !uri.getHost().equalsIgnoreCase(request.getServerName())) {
                return null;
            }
            String path = uri.getRawPath();
            if (path == null
                    || !path.startsWith("/")
                    || path.startsWith("//")
                    || path.equals(request.getRequestURI())) {
                return null;
            }
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
