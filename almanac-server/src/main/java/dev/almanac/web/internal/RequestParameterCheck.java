package dev.almanac.web.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NameHints;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.BeanUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The request parameters every page and API call is held to, before its handler runs: none carries a NUL character
 * (PostgreSQL stores no U+0000 in text and answered a filter holding one with a 500), and an API call names only
 * parameters its endpoint takes, so a misspelt filter ({@code statuses=failed}) is a 400 with a hint, as a misspelt
 * body field is, instead of the whole unfiltered list.
 */
@Configuration(proxyBeanMethods = false)
class RequestParameterCheck implements WebMvcConfigurer, HandlerInterceptor {

    static final String NUL = "must not contain the NUL character (U+0000)";
    private static final String API = "/api/";

    /** Each API handler's parameter names; empty when it takes any (a {@code Map} of them). */
    private final Map<Method, Optional<Set<String>>> names = new ConcurrentHashMap<>();

    /** Each API handler's parameters that take a list, and so may be given more than once. */
    private final Map<Method, Set<String>> repeatable = new ConcurrentHashMap<>();

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // an error page's own dispatch carries the parameters the request was refused for
        if (!(handler instanceof HandlerMethod method) || request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        List<FieldError> errors = new ArrayList<>();
        notUtf8(request.getQueryString(), errors);
        request.getParameterMap().forEach((name, values) -> {
            if (name.indexOf('\0') >= 0 || Arrays.stream(values).anyMatch(value -> value.indexOf('\0') >= 0)) {
                errors.add(new FieldError(name.replace("\0", "\\u0000"), NUL));
            }
        });
        if (errors.isEmpty() && request.getRequestURI().startsWith(request.getContextPath() + API)) {
            Optional<Set<String>> taken = names.computeIfAbsent(method.getMethod(), key -> parameterNames(method));
            taken.ifPresent(known -> unknown(request.getQueryString(), known, errors));
            if (errors.isEmpty() && taken.isPresent()) {
                // a value read as one: which of two would count is a guess (the first, or both joined by a comma)
                Set<String> lists = repeatable.computeIfAbsent(method.getMethod(), key -> listParameters(method));
                request.getParameterMap().forEach((name, values) -> {
                    if (values.length > 1 && !lists.contains(name)) {
                        errors.add(new FieldError(
                                name,
                                "is given " + (values.length == 2 ? "twice" : values.length + " times")
                                        + ": give it once"));
                    }
                });
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return true;
    }

    private static void unknown(String query, Set<String> known, List<FieldError> errors) {
        for (String name : queryNames(query)) {
            if (!known.contains(name)) {
                String hint = NameHints.didYouMean(name, known);
                errors.add(new FieldError(
                        name,
                        "is not a parameter of this endpoint"
                                + (!hint.isEmpty()
                                        ? hint
                                        : known.isEmpty()
                                                ? "; it takes none"
                                                : "; it takes " + String.join(", ", known))));
            }
        }
    }

    /**
     * A query parameter whose escapes are no UTF-8 ({@code search=%FF}): the container reads it as a replacement
     * character, or drops it, and the filter would match something else than was meant.
     */
    private static void notUtf8(String query, List<FieldError> errors) {
        if (query == null || query.indexOf('%') < 0) {
            return;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String raw = equals < 0 ? pair : pair.substring(0, equals);
            if (!utf8(pair)) {
                String name = utf8(raw) ? URLDecoder.decode(raw, StandardCharsets.UTF_8) : raw;
                errors.add(new FieldError(
                        name, "is not valid UTF-8: percent-encode the UTF-8 bytes of the text (é is %C3%A9)"));
            }
        }
    }

    /** Whether the bytes {@code text}'s percent escapes stand for, with its other characters, are UTF-8. */
    private static boolean utf8(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high >= 0 && low >= 0) {
                    bytes.write(high * 16 + low);
                    i += 2;
                    continue;
                }
            }
            bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return false;
        }
    }

    /** The names a query string gives, decoded, each once, in order. */
    static Set<String> queryNames(String query) {
        Set<String> names = new LinkedHashSet<>();
        if (query == null || query.isEmpty()) {
            return names;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String raw = equals < 0 ? pair : pair.substring(0, equals);
            try {
                String name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
                if (!name.isEmpty()) {
                    names.add(name);
                }
            } catch (IllegalArgumentException badEscape) {
                names.add(raw);
            }
        }
        return names;
    }

    /**
     * The request parameters a handler method reads: its {@code @RequestParam}s, the components of a record it binds
     * them into (by their {@code @BindParam} names), a plain value it takes without annotation; none when it takes a
     * map of them or a bean whose properties it does not declare.
     */
    static Optional<Set<String>> parameterNames(HandlerMethod handler) {
        Set<String> names = new LinkedHashSet<>();
        for (MethodParameter parameter : handler.getMethodParameters()) {
            Class<?> type = parameter.getParameterType();
            RequestParam requestParam = parameter.getParameterAnnotation(RequestParam.class);
            if (requestParam != null) {
                if (Map.class.isAssignableFrom(type)) {
                    return Optional.empty();
                }
                names.add(requestParam.name().isEmpty() ? parameter.getParameterName() : requestParam.name());
            } else if (parameter.hasParameterAnnotation(ModelAttribute.class)
                    || (!parameter.hasParameterAnnotations() && type.isRecord())) {
                if (!type.isRecord()) {
                    return Optional.empty();
                }
                names.addAll(recordParameters(type));
            } else if (!parameter.hasParameterAnnotations() && BeanUtils.isSimpleProperty(type)) {
                names.add(parameter.getParameterName());
            }
        }
        return Optional.of(names);
    }

    /** The parameters of {@code handler} read as a list or an array, by their request names. */
    static Set<String> listParameters(HandlerMethod handler) {
        Set<String> lists = new LinkedHashSet<>();
        for (MethodParameter parameter : handler.getMethodParameters()) {
            Class<?> type = parameter.getParameterType();
            RequestParam requestParam = parameter.getParameterAnnotation(RequestParam.class);
            if (requestParam != null && takesMany(type)) {
                lists.add(requestParam.name().isEmpty() ? parameter.getParameterName() : requestParam.name());
            } else if (requestParam == null && type.isRecord()) {
                List<String> names = recordParameters(type);
                RecordComponent[] components = type.getRecordComponents();
                for (int i = 0; i < components.length; i++) {
                    if (takesMany(components[i].getType())) {
                        lists.add(names.get(i));
                    }
                }
            }
        }
        return lists;
    }

    private static boolean takesMany(Class<?> type) {
        return type.isArray() || java.util.Collection.class.isAssignableFrom(type);
    }

    private static List<String> recordParameters(Class<?> record) {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        List<String> names = new ArrayList<>();
        try {
            Constructor<?> canonical = record.getDeclaredConstructor(types);
            for (int i = 0; i < components.length; i++) {
                BindParam bound = canonical.getParameters()[i].getAnnotation(BindParam.class);
                names.add(bound == null ? components[i].getName() : bound.value());
            }
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException("a record without its canonical constructor: " + record, impossible);
        }
        return names;
    }
}
