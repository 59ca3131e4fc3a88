package dev.almanac.web;

import dev.almanac.common.ConflictException;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.web.internal.PayloadTooLargeException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * The status a refusal answers, and the seconds of its {@code Retry-After} when it has one: the one place a refusal
 * type is mapped to HTTP. The API's problems, the error pages and the forms shown again with their problems all ask
 * here, so a refusal answers the same status wherever it is met.
 *
 * @param retryAfterSeconds null when the refusal says nothing of when to ask again
 */
public record RefusalStatus(HttpStatus status, Long retryAfterSeconds) {

    private static final Logger log = LoggerFactory.getLogger(RefusalStatus.class);

    /** A wait as a reader takes it in: seconds up to 90, then whole minutes, rounded up. */
    public static String inWords(long seconds) {
        return seconds <= 90 ? seconds + " s" : (seconds + 59) / 60 + " min";
    }

    /** Input that does not validate: the answer of a form shown again over the reader's input. */
    public static final RefusalStatus BAD_INPUT = new RefusalStatus(HttpStatus.BAD_REQUEST, null);

    /**
     * {@code e} as the refusal it is when it comes from the server rather than the application: a form over the
     * container's limit is a 413; a query string Tomcat could not decode (a {@code %} not followed by two hex digits)
     * is the reader's input, refused naming it; a request the database stopped in favour of another holding the same
     * rows is a conflict to try again, not a failure of the server.
     */
    public static Exception asRefusal(Exception e) {
        if (e instanceof InvalidParameterException tooMuch
                && tooMuch.getErrorCode() == HttpStatus.CONTENT_TOO_LARGE.value()) {
            // a form over the container's limit (server.tomcat.max-http-form-post-size, 2 MB) or its parameter count
            return new PayloadTooLargeException(
                    "the form is larger than the server accepts (too long, or too many fields): shorten its longest"
                            + " field (a job's parameters hold at most 256 KiB)");
        }
        if (e instanceof PessimisticLockingFailureException) {
            // the database chose this request to give way to another holding the same rows (a deadlock or a lock it
            // waited too long for); its transaction was rolled back, and asking again normally succeeds
            log.warn("A request gave way to another holding the same rows: {}", e.getMessage());
            return new ConflictException(
                    null,
                    "another change was holding the same records at the same moment, so the database stopped this one"
                            + " and undid it; try again");
        }
        if (e instanceof InvalidParameterException) {
            return new InvalidInputException(
                    "query",
                    "is not valid URL encoding: a '%' must be followed by two hex digits (write %25 for a '%' itself)");
        }
        return e;
    }

    /** The answer to {@code e}; empty when it is no refusal (a failure, or one of Spring's own exceptions). */
    public static Optional<RefusalStatus> of(Throwable e) {
        if (e instanceof InvalidInputException || e instanceof TypeMismatchException) {
            return Optional.of(BAD_INPUT);
        }
        if (e instanceof ForbiddenException) {
            return Optional.of(new RefusalStatus(HttpStatus.FORBIDDEN, null));
        }
        if (e instanceof NotFoundException) {
            return Optional.of(new RefusalStatus(HttpStatus.NOT_FOUND, null));
        }
        if (e instanceof ConflictException) {
            return Optional.of(new RefusalStatus(HttpStatus.CONFLICT, null));
        }
        if (e instanceof PayloadTooLargeException) {
            return Optional.of(new RefusalStatus(HttpStatus.CONTENT_TOO_LARGE, null));
        }
        if (e instanceof TooManyRequestsException tooMany) {
            return Optional.of(new RefusalStatus(HttpStatus.TOO_MANY_REQUESTS, tooMany.retryAfterSeconds()));
        }
        return Optional.empty();
    }

    /** The headers the answer carries besides its body: {@code Retry-After}, when there is one. */
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        if (retryAfterSeconds != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        return headers;
    }

    /** Sets the status, and {@code Retry-After} when there is one, on a response whose body is written elsewhere. */
    public void applyTo(HttpServletResponse response) {
        if (retryAfterSeconds != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        response.setStatus(status.value());
    }
}
