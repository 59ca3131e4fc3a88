package dev.almanac.web.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.FieldError;
import dev.almanac.web.AdminPage;
import dev.almanac.web.RefusalStatus;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.ui.Model;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every admin page shares: the path and the reader's role for the navigation, whether htmx asked for a
 * fragment, and errors shown as a page with what to do next. Ordered before the API's handler, which answers problem JSON.
 */
@ControllerAdvice(annotations = AdminPage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class PageAdvice {

    private static final Logger log = LoggerFactory.getLogger(PageAdvice.class);

    /** Absent only in web slice tests, which have no database. */
    private final ObjectProvider<DatabaseAvailability> availability;

    PageAdvice(ObjectProvider<DatabaseAvailability> availability) {
        this.availability = availability;
    }

    @ModelAttribute
    void shared(HttpServletRequest request, Model model) {
        layout(request, model);
    }

    /**
     * What the layout needs; also called for error answers, where Spring runs no {@code @ModelAttribute} method and
     * the page would otherwise lose its header (user, Sign out, navigation).
     */
    public static void layout(HttpServletRequest request, Model model) {
        model.addAttribute("path", request.getRequestURI());
        String query = request.getQueryString();
        model.addAttribute("currentUrl", request.getRequestURI() + (query == null ? "" : "?" + query));
        model.addAttribute("htmx", HtmxRequest.fromRequest(request).isHtmxRequest());
        // the navigation offers only the pages the security chain lets this reader open
        model.addAttribute("superAdmin", request.isUserInRole("SUPER_ADMIN"));
        model.addAttribute("scheduler", request.isUserInRole("SUPER_ADMIN") || request.isUserInRole("ADMIN"));
        model.addAttribute("username", request.getRemoteUser());
        if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken csrf) {
            // htmx sends this header with every request it makes, so its POSTs pass the CSRF check as forms do.
            model.addAttribute("csrfHeaders", "{\"" + csrf.getHeaderName() + "\": \"" + csrf.getToken() + "\"}");
        }
    }

    /**
     * Every error of a page, said where the reader acted: a refusal with the status {@link RefusalStatus} gives it, a
     * database away as the "database unavailable" page, Spring's own refusals with theirs, anything else as a 500.
     */
    @ExceptionHandler(Exception.class)
    String answer(Exception thrown, HttpServletRequest request, HttpServletResponse response, Model model) {
        Exception e = RefusalStatus.asRefusal(thrown);
        if (RefusalStatus.of(e).isPresent()) {
            return Refusals.page(request, response, model, e, message(e));
        }
        if (DatabaseAvailability.isConnectionFailure(e)) {
            // said once per outage, not with a stack trace per page
            availability.ifAvailable(database -> database.unreachable(e));
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
            // the layout reads nothing more from the database: its namespace switcher and freeze banner would fail too
            model.addAttribute(DatabaseUnavailable.AWAY, true);
            model.addAttribute("scheduler", false);
            model.addAttribute("noScheduler", true);
            String view =
                    Refusals.page(request, response, model, HttpStatus.SERVICE_UNAVAILABLE, DatabaseUnavailable.DETAIL);
            return view.equals("error") ? DatabaseUnavailable.VIEW : view;
        }
        // Spring's own refusals (a missing parameter, a wrong method, an upload over the limit) carry their status
        if (e instanceof ErrorResponse known && known.getStatusCode().is4xxClientError()) {
            HttpStatus status = HttpStatus.valueOf(known.getStatusCode().value());
            String detail = known.getBody().getDetail();
            return Refusals.page(request, response, model, status, detail == null ? status.getReasonPhrase() : detail);
        }
        log.error("Unexpected error rendering {}", request.getRequestURI(), e);
        return Refusals.page(
                request,
                response,
                model,
                HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on the server; the server log has the details.");
    }

    /** What a refusal says: its message, or for a parameter of the wrong type (a hand-edited address, say) its name. */
    private static String message(Exception refusal) {
        if (refusal instanceof TypeMismatchException mismatch) {
            FieldError error = ApiExceptionHandler.fieldError(mismatch);
            return error.field() + ": " + error.message();
        }
        return refusal.getMessage();
    }
}
