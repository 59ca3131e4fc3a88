package dev.almanac.web.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.web.Problems;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answer while the database is away: 503 with {@code Retry-After}, as problem JSON for the API and as the
 * "database unavailable" page in the layout for a browser. Nothing is logged per request: {@link DatabaseAvailability}
 * says once per outage that the database is away.
 */
@Component
public class DatabaseUnavailable {

    /** Seconds a client should wait before it asks again. */
    public static final long RETRY_AFTER_SECONDS = 5;

    static final String DETAIL = "the database is unavailable; retry later";
    static final String VIEW = "unavailable";
    /** Set for the layout when the database is away: it then reads nothing from it (namespaces, the freeze). */
    static final String AWAY = "databaseAway";

    private final DatabaseAvailability availability;
    private final JsonMapper json;
    private final ITemplateEngine templates;

    DatabaseUnavailable(DatabaseAvailability availability, JsonMapper json, ITemplateEngine templates) {
        this.availability = availability;
        this.json = json;
        this.templates = templates;
    }

    /** Records that a request found the database away (one WARN per outage) and answers 503. */
    public void write(HttpServletRequest request, HttpServletResponse response, Throwable cause) throws IOException {
        if (cause != null) {
            availability.unreachable(cause);
        }
        write(request, response);
    }

    void write(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS));
        if (!wantsPage(request)) {
            Problems.write(request, response, json, HttpStatus.SERVICE_UNAVAILABLE, DETAIL, null);
            return;
        }
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setContentType(MediaType.TEXT_HTML_VALUE);
        response.setCharacterEncoding("UTF-8");
        WebContext context = new WebContext(
                JakartaServletWebApplication.buildApplication(request.getServletContext())
                        .buildExchange(request, response),
                Locale.ENGLISH);
        // no navigation: which pages this reader may open is not known without the database
        context.setVariable("scheduler", false);
        context.setVariable("noScheduler", true);
        context.setVariable(AWAY, true);
        templates.process(VIEW, context, response.getWriter());
    }

    /** A browser opening a page, as opposed to an API client, a form post answered by htmx, or a script. */
    static boolean wantsPage(HttpServletRequest request) {
        if (request.getRequestURI().startsWith("/api/")
                || HtmxRequest.fromRequest(request).isHtmxRequest()) {
            return false;
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains(MediaType.TEXT_HTML_VALUE);
    }
}
