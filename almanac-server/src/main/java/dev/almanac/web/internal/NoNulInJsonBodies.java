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
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON body whose strings hold U+0000 is refused naming the field: PostgreSQL stores no NUL in text, and answered
 * one with a 500. So is one holding a lone UTF-16 surrogate ({@code \udfff} without its pair): it is no character,
 * was echoed back in the answer and stored as {@code ?}. JSON can only carry either escaped ({@code \u0000}, {@code
 * \ud800} to {@code \udfff}), so a body without such an escape is passed on after one scan of its bytes; one with it
 * is read token by token to find the field.
 */
@ControllerAdvice
class NoNulInJsonBodies extends RequestBodyAdviceAdapter {

    private static final byte[] ESCAPE = "\\u0000".getBytes(StandardCharsets.US_ASCII);

    static final String LONE_SURROGATE = "must not contain a lone UTF-16 surrogate (\\ud800 to \\udfff without its"
            + " pair): it is no character and cannot be stored";

    /** The request attribute holding the JSON body read, with the type it was read as ({@link Read}). */
    static final String READ = NoNulInJsonBodies.class.getName() + ".read";

    /** A JSON body as it came, and the type it was read as. */
    record Read(byte[] body, Type type) {}

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
        // kept for the request, so that a body that cannot be read is told every field it has wrong at once
        RequestContextHolder.currentRequestAttributes()
                .setAttribute(READ, new Read(body, targetType), RequestAttributes.SCOPE_REQUEST);
        if (indexOf(body, ESCAPE) >= 0 || hasSurrogateEscape(body)) {
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

    /**
     * Throws naming the first name or string holding a NUL or a lone surrogate; a body that is no JSON is left to the
     * reader to say.
     */
    private void nulField(byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                boolean name = token == JsonToken.PROPERTY_NAME;
                String refused = name || token == JsonToken.VALUE_STRING ? refused(parser.getString()) : null;
                if (refused != null) {
                    String at = JsonInputErrors.dotted(
                            parser.streamReadContext().pathAsPointer().toString());
                    if (name) {
                        at = JsonInputErrors.dotted(parser.streamReadContext()
                                .getParent()
                                .pathAsPointer()
                                .toString());
                    }
                    throw new InvalidInputException(at.isEmpty() ? "body" : at, refused);
                }
            }
        } catch (JacksonException notJson) {
            // the body's reader refuses it, naming where
        }
    }

    /** What a text cannot hold, said as its field's error; null when it can be stored. */
    private static String refused(String text) {
        if (text.indexOf('\0') >= 0) {
            return RequestParameterCheck.NUL;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return LONE_SURROGATE;
            }
        }
        return null;
    }

    /** Whether the body holds an escape {@code \\u} of a surrogate, {@code d800} to {@code dfff} in either case. */
    private static boolean hasSurrogateEscape(byte[] body) {
        for (int i = 0; i + 3 < body.length; i++) {
            if (body[i] == '\\'
                    && body[i + 1] == 'u'
                    && (body[i + 2] == 'd' || body[i + 2] == 'D')
                    && "89abcdefABCDEF".indexOf(body[i + 3]) >= 0) {
                return true;
            }
        }
        return false;
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
