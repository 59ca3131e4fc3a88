package dev.almanac.web.internal;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxMvcAutoConfiguration;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequestMappingHandlerMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.ExceptionHandlerExceptionResolver;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Finds a request's controller method without testing every mapping of the application in full. Spring MVC answers a
 * path with a variable ({@code /api/admin/scheduler/jobs/{id}}) by matching it against all ~180 request mappings, API
 * and pages alike, each through the request's method, headers and patterns: 11 % of the CPU of a {@code POST
 * /jobs/{id}/run} (almanac-bench, session 23). Here each mapping is first tested on the literal start of its patterns
 * (what comes before the first variable or wildcard), which only a mapping that could match passes, and the request's
 * method is read once instead of through every wrapper the security filters put around it.
 */
@Configuration(proxyBeanMethods = false)
class HandlerLookup {

    /**
     * htmx-spring-boot registers the MVC parts of its own ({@code @HxRequest} mappings, its adapter and exception
     * resolver); Boot takes one set of registrations only, so this one is primary and hands the rest to htmx's.
     */
    @Bean
    @Primary
    WebMvcRegistrations literalPrefixMappings(HtmxMvcAutoConfiguration htmx) {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new LiteralPrefixHandlerMapping();
            }

            @Override
            public RequestMappingHandlerAdapter getRequestMappingHandlerAdapter() {
                return htmx.getRequestMappingHandlerAdapter();
            }

            @Override
            public ExceptionHandlerExceptionResolver getExceptionHandlerExceptionResolver() {
                return htmx.getExceptionHandlerExceptionResolver();
            }
        };
    }

    /** htmx's mapping (the framework's, with {@code @HxRequest}), with a literal-prefix test before each full match. */
    static final class LiteralPrefixHandlerMapping extends HtmxRequestMappingHandlerMapping {

        private static final String[] ANY = {""};

        /** Each mapping's literal pattern starts; computed on first use, so mappings registered later are covered. */
        private final Map<RequestMappingInfo, String[]> prefixes = new ConcurrentHashMap<>();

        @Override
        protected HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request) throws Exception {
            // a path with an escape or a matrix variable is matched by its decoded segments, which a raw prefix test
            // could refuse wrongly; a case-insensitive parser likewise: those take the framework's full match alone
            boolean plain = lookupPath.indexOf('%') < 0
                    && lookupPath.indexOf(';') < 0
                    && (getPatternParser() == null || getPatternParser().isCaseSensitive());
            return super.lookupHandlerMethod(lookupPath, plain ? new Lookup(request, lookupPath) : request);
        }

        @Override
        protected RequestMappingInfo getMatchingMapping(RequestMappingInfo info, HttpServletRequest request) {
            if (request instanceof Lookup lookup
                    && !lookup.mayMatch(prefixes.computeIfAbsent(info, this::literalStarts))) {
                return null;
            }
            return super.getMatchingMapping(info, request);
        }

        private String[] literalStarts(RequestMappingInfo info) {
            if (info.getPatternValues().isEmpty()) {
                return ANY;
            }
            return info.getPatternValues().stream()
                    .map(LiteralPrefixHandlerMapping::literalStart)
                    .toArray(String[]::new);
        }

        /** What a path must start with to match {@code pattern}: everything before its first variable or wildcard. */
        static String literalStart(String pattern) {
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '{' || c == '*' || c == '?') {
                    return pattern.substring(0, i);
                }
            }
            return pattern;
        }
    }

    /** The request during one look-up: its path within the application, and its method read once. */
    static final class Lookup extends HttpServletRequestWrapper {

        private final String path;
        private final String method;

        Lookup(HttpServletRequest request, String path) {
            super(request);
            this.path = path;
            this.method = request.getMethod();
        }

        @Override
        public String getMethod() {
            return method;
        }

        boolean mayMatch(String[] literalStarts) {
            for (String start : literalStarts) {
                if (path.startsWith(start)) {
                    return true;
                }
            }
            return false;
        }
    }
}
