package dev.almanac.web.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Problems;
import dev.almanac.web.RefusalStatus;
import dev.almanac.web.Refusals;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the servlet container sends an error no handler answered: a query a security filter could not decode, an
 * exception thrown before Spring MVC. It answers RFC 9457 problem JSON like every other refusal, or the error page for
 * a browser, instead of Spring Boot's own error JSON; the request's values are never echoed.
 */
@AdminPage
class ErrorEndpoint implements ErrorController {

    static final String SERVER_ERROR = "Something went wrong on the server; the server log has the details.";

    private final JsonMapper json;

    ErrorEndpoint(JsonMapper json) {
        this.json = json;
    }

    @RequestMapping(value = "/error", produces = MediaType.TEXT_HTML_VALUE)
    String page(HttpServletRequest request, HttpServletResponse response, Model model) {
        Answer answer = answer(request);
        return Refusals.page(request, response, model, answer.status(), answer.detail());
    }

    @RequestMapping("/error")
    void problem(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Answer answer = answer(request);
        Problems.write(request, response, json, answer.status(), answer.detail(), answer.errors());
    }

    private record Answer(HttpStatus status, String detail, List<FieldError> errors) {}

    private static Answer answer(HttpServletRequest request) {
        Object thrown = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Exception refusal = thrown instanceof Exception e ? RefusalStatus.asRefusal(e) : null;
        if (refusal instanceof InvalidInputException invalid) {
            return new Answer(HttpStatus.BAD_REQUEST, invalid.getMessage(), invalid.errors());
        }
        if (refusal instanceof PayloadTooLargeException tooLarge) {
            return new Answer(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage(), List.of());
        }
        if (refusal instanceof ConflictException conflict) {
            // a request a filter's write lost to another holding the same rows, as RefusalStatus says it
            return new Answer(HttpStatus.CONFLICT, conflict.getMessage(), List.of());
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status;
        if (code == null && thrown == null) {
            // /error opened as an address, not reached through an error: nothing went wrong, there is nothing here
            status = HttpStatus.NOT_FOUND;
        } else if (code instanceof Integer number && HttpStatus.resolve(number) != null) {
            status = HttpStatus.valueOf(number);
        } else {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        String detail = switch (status) {
            case BAD_REQUEST -> "the request could not be read";
            case UNAUTHORIZED -> "authentication is required";
            case FORBIDDEN -> "access is denied";
            case NOT_FOUND -> "there is nothing at this address";
            default -> status.is5xxServerError() ? SERVER_ERROR : status.getReasonPhrase();
        };
        return new Answer(status, detail, List.of());
    }
}
