package dev.almanac.web.internal;

import dev.almanac.common.InvalidInputException;
import dev.almanac.common.JsonInputErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON body whose strings hold U+0000 is refused naming the field: PostgreSQL stores no NUL in text, and answered
 * one with a 500. JSON can only carry it escaped ({@code \u0000}), so a body without that escape is passed on after
 * one scan of its bytes; one with it is read token by token to find the field.
 */
@ControllerAdvice
class NoNulInJsonBodies extends RequestBodyAdviceAdapter {

    private static final byte[] ESCAPE = "\\u0000".getBytes(StandardCharsets.US_ASCII);

    private final JsonMapper json;

    NoNulInJsonBodies(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean supports(
            MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(
            HttpInputMessage message,
            MethodParameter parameter,
            Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType)
            throws IOException {
        MediaType type = message.getHeaders().getContentType();
        if (type == null
                || !(MediaType.APPLICATION_JSON.isCompatibleWith(type)
                        || type.getSubtype().endsWith("+json"))) {
            return message;
        }
        byte[] body = message.getBody().readAllBytes();
        if (indexOf(body, ESCAPE) >= 0) {
            nulField(body);
        }
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public HttpHeaders getHeaders() {
                return message.getHeaders();
            }
        };
    }

    /** Throws naming the first name or string holding a NUL; a body that is no JSON is left to the reader to say. */
    private void nulField(byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                boolean name = token == JsonToken.PROPERTY_NAME;
                if ((name || token == JsonToken.VALUE_STRING)
                        && parser.getString().indexOf('\0') >= 0) {
                    String at = JsonInputErrors.dotted(
                            parser.streamReadContext().pathAsPointer().toString());
                    if (name) {
                        at = JsonInputErrors.dotted(parser.streamReadContext()
                                .getParent()
                                .pathAsPointer()
                                .toString());
                    }
                    throw new InvalidInputException(at.isEmpty() ? "body" : at, RequestParameterCheck.NUL);
                }
            }
        } catch (JacksonException notJson) {
            // the body's reader refuses it, naming where
        }
    }

    private static int indexOf(byte[] body, byte[] wanted) {
        outer:
        for (int i = 0; i <= body.length - wanted.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (body[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
