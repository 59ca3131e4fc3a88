package dev.almanac.security.internal;

import dev.almanac.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The 400, 401, 403 and 429 problems security writes itself, outside Spring MVC. */
@Component
public class ProblemResponses {

    private final JsonMapper json;
    private final boolean basicAuth;

    ProblemResponses(JsonMapper json, SecurityProperties properties) {
        this.json = json;
        this.basicAuth = properties.basicAuthEnabled();
    }

    void unauthorized(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, basicAuth ? "Bearer, Basic realm=\"almanac\"" : "Bearer");
        Problems.write(request, response, json, HttpStatus.UNAUTHORIZED, detail, null);
    }

    void badRequest(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        Problems.write(request, response, json, HttpStatus.BAD_REQUEST, detail, null);
    }

    void forbidden(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        Problems.write(request, response, json, HttpStatus.FORBIDDEN, detail, null);
    }

    void tooMany(HttpServletRequest request, HttpServletResponse response, String detail, long retryAfterSeconds)
            throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        Problems.write(request, response, json, HttpStatus.TOO_MANY_REQUESTS, detail, null);
    }
}
