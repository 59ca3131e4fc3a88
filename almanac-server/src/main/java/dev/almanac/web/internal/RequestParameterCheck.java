package dev.almanac.web.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The request parameters every page and API call is held to, before its handler runs: none carries a NUL character
 * (PostgreSQL stores no U+0000 in text and answered a filter holding one with a 500).
 */
@Configuration(proxyBeanMethods = false)
class RequestParameterCheck implements WebMvcConfigurer, HandlerInterceptor {

    static final String NUL = "must not contain the NUL character (U+0000)";

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // an error page's own dispatch carries the parameters the request was refused for
        if (!(handler instanceof HandlerMethod) || request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        List<FieldError> errors = new ArrayList<>();
        request.getParameterMap().forEach((name, values) -> {
            if (name.indexOf('\0') >= 0 || Arrays.stream(values).anyMatch(value -> value.indexOf('\0') >= 0)) {
                errors.add(new FieldError(name.replace("\0", "\\u0000"), NUL));
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return true;
    }
}
