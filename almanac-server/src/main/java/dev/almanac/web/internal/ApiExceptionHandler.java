package dev.almanac.web.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.JsonInputErrors;
import dev.almanac.web.Problems;
import dev.almanac.web.RefusalStatus;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error an API client sees is an RFC 9457 problem naming what was wrong; nothing internal (stack traces,
 * SQL, class names) leaves the server.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /** Absent only in web slice tests, which have no database. */
    private final ObjectProvider<DatabaseAvailability> availability;

    private final ObjectProvider<JsonMapper> json;

    ApiExceptionHandler(ObjectProvider<DatabaseAvailability> availability, ObjectProvider<JsonMapper> json) {
        this.availability = availability;
        this.json = json;
    }

    /**
     * A refusal answers the status {@link RefusalStatus} gives it, as a problem naming the fields it is about; a
     * database away answers 503; anything else is logged and answered 500 without its details.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> answer(Exception thrown) {
        Exception e = RefusalStatus.asRefusal(thrown);
        if (RefusalStatus.of(e).isPresent()) {
            return refused(e);
        }
        if (DatabaseAvailability.isConnectionFailure(e)) {
            // said once per outage, not with a stack trace per request
            availability.ifAvailable(database -> database.unreachable(e));
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS))
                    .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, DatabaseUnavailable.DETAIL, null));
        }
        log.error("Unexpected error handling a request", e);
        return ResponseEntity.internalServerError()
                .body(Problems.of(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "An internal error occurred; the server log has the details",
                        null));
    }

    /** The problem of a refusal: its status and {@code Retry-After} from {@link RefusalStatus}, its detail, fields. */
    private static ResponseEntity<ProblemDetail> refused(Exception e) {
        RefusalStatus refusal = RefusalStatus.of(e).orElseThrow();
        return ResponseEntity.status(refusal.status())
                .headers(refusal.headers())
                .body(Problems.of(refusal.status(), detail(e), fieldErrors(e)));
    }

    /** Invalid input names its one field, or how many are invalid; any other refusal says its message. */
    private static String detail(Exception e) {
        if (e instanceof InvalidInputException invalid) {
            List<FieldError> errors = invalid.errors();
            return errors.size() == 1
                    ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid";
        }
        return e.getMessage();
    }

    /**
     * The fields a refusal is about: every one of invalid input, the one of a conflict or of a refusal by role that
     * names one.
     */
    private static List<FieldError> fieldErrors(Exception e) {
        if (e instanceof InvalidInputException invalid) {
            return invalid.errors();
        }
        if (e instanceof ConflictException conflict && conflict.field() != null) {
            return List.of(new FieldError(conflict.field(), conflict.getMessage()));
        }
        if (e instanceof ForbiddenException forbidden && forbidden.field() != null) {
            return List.of(new FieldError(forbidden.field(), forbidden.getMessage()));
        }
        return null;
    }

    /** A problem's answer as the base class's handlers return it. */
    private static ResponseEntity<Object> asObject(ResponseEntity<ProblemDetail> answer) {
        return ResponseEntity.status(answer.getStatusCode())
                .headers(answer.getHeaders())
                .body(answer.getBody());
    }

    /**
     * A body of a type the operation does not read: the answer names the types it does (as the {@code Accept} header
     * the base class sets does), so that a client sending none, or another, knows what to send.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
            HttpMediaTypeNotSupportedException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> answer = super.handleHttpMediaTypeNotSupported(e, headers, status, request);
        if (answer == null
                || !(answer.getBody() instanceof ProblemDetail problem)
                || e.getSupportedMediaTypes().isEmpty()) {
            return answer;
        }
        problem.setDetail((e.getContentType() == null
                        ? "The body has no Content-Type"
                        : "Content-Type '" + e.getContentType() + "' is not supported")
                + "; send it as one of: "
                + e.getSupportedMediaTypes().stream().map(Object::toString).collect(Collectors.joining(", ")));
        return answer;
    }

    /**
     * An address that names nothing: problem JSON for a script, but a browser opening it outside the API gets the
     * error page (the servlet container's error dispatch, which {@link ErrorEndpoint} answers with HTML).
     */
    @Override
    protected ResponseEntity<Object> handleNoHandlerFoundException(
            NoHandlerFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return errorPageForABrowser(request) ? null : super.handleNoHandlerFoundException(e, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return errorPageForABrowser(request) ? null : super.handleNoResourceFoundException(e, headers, status, request);
    }

    /** Sends a browser's page request that found nothing to the error page; false for anyone else. */
    private static boolean errorPageForABrowser(WebRequest request) {
        if (request instanceof ServletWebRequest servlet
                && servlet.getResponse() != null
                && opensPage(servlet.getRequest())) {
            try {
                servlet.getResponse().sendError(HttpStatus.NOT_FOUND.value());
                return true;
            } catch (IOException gone) {
                log.debug(
                        "could not answer {} with the error page",
                        servlet.getRequest().getRequestURI(),
                        gone);
            }
        }
        return false;
    }

    /** A browser's navigation to an address outside the API: it asks for HTML. */
    private static boolean opensPage(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return accept != null && accept.contains("text/html") && !path.startsWith("/api/");
    }

    /** A request parameter or path variable that could not be read as its type: a 400 naming it, with what it takes. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return asObject(refused(new InvalidInputException(List.of(fieldError(e)))));
    }

    /** The parameter a type mismatch is about, and what it must be. */
    static FieldError fieldError(TypeMismatchException e) {
        String name =
                e instanceof MethodArgumentTypeMismatchException argument ? argument.getName() : e.getPropertyName();
        return new FieldError(name == null ? "parameter" : name, JsonInputErrors.expectedOf(e.getRequiredType()));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof PayloadTooLargeException tooLarge) {
                return asObject(refused(tooLarge));
            }
            if (cause instanceof JacksonException jackson) {
                List<FieldError> errors = allErrors(jackson, request).stream()
                        .map(error -> error.field().isEmpty() ? new FieldError("body", error.message()) : error)
                        .toList();
                return asObject(refused(new InvalidInputException(errors)));
            }
            cause = cause.getCause();
        }
        return ResponseEntity.badRequest()
                .body(Problems.of(
                        HttpStatus.BAD_REQUEST,
                        "the request body is missing or is not valid JSON",
                        List.of(new FieldError("body", "must be a JSON document"))));
    }

    /**
     * Every unknown field and every field of the wrong type of the body, when it was kept ({@link NoNulInJsonBodies})
     * and is JSON; else the one the reader stopped at.
     */
    private List<FieldError> allErrors(JacksonException first, WebRequest request) {
        Object kept = request.getAttribute(NoNulInJsonBodies.READ, RequestAttributes.SCOPE_REQUEST);
        JsonMapper mapper = json.getIfAvailable();
        if (kept instanceof NoNulInJsonBodies.Read read && mapper != null) {
            try {
                JsonNode tree = mapper.readTree(read.body());
                return JsonInputErrors.allErrors(mapper, tree, mapper.constructType(read.type()), first);
            } catch (JacksonException notJson) {
                // the reader's own error says where
            }
        }
        return List.of(JsonInputErrors.fieldError(first));
    }
}
