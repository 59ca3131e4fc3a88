package dev.almanac.web.internal;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxMvcAutoConfiguration;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequestMappingHandlerMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.IdentityHashMap;
import java.util.Map;
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
 * /jobs/{id}/run} (almanac-bench, session 23). Here each mapping is first tested on its patterns' shapes (their literal
 * start, their segment count and literal segments), which only a mapping that could match passes, and the request's
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
    WebMvcRegistrations shapeCheckedMappings(HtmxMvcAutoConfiguration htmx) {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new ShapeCheckedHandlerMapping();
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

    /** htmx's mapping (the framework's, with {@code @HxRequest}), with a test of each pattern's shape first. */
    static final class ShapeCheckedHandlerMapping extends HtmxRequestMappingHandlerMapping {

        /**
         * Each mapping's pattern shapes, by the mapping's identity (the registry's own instances are the keys);
         * computed on first use, so mappings registered later are covered. A look-up tests every mapping, so it reads a
         * map that is never changed once published: a new mapping's shapes go into a copy, which replaces it.
         */
        private volatile Map<RequestMappingInfo, Shape[]> shapes = new IdentityHashMap<>();

        @Override
        protected HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request) throws Exception {
            // a path with an escape is matched by its decoded segments, which a raw test could refuse wrongly; a
            // case-insensitive parser, or the older path matcher, likewise: those take the framework's full match alone
            boolean plain = lookupPath.indexOf('%') < 0
                    && getPatternParser() != null
                    && getPatternParser().isCaseSensitive();
            return super.lookupHandlerMethod(lookupPath, plain ? new Lookup(request, lookupPath) : request);
        }

        @Override
        protected RequestMappingInfo getMatchingMapping(RequestMappingInfo info, HttpServletRequest request) {
            if (request instanceof Lookup lookup && !lookup.mayMatch(shapesOf(info))) {
                return null;
            }
            return super.getMatchingMapping(info, request);
        }

        private Shape[] shapesOf(RequestMappingInfo info) {
            Shape[] known = shapes.get(info);
            return known != null ? known : remember(info);
        }

        private synchronized Shape[] remember(RequestMappingInfo info) {
            Map<RequestMappingInfo, Shape[]> copy = new IdentityHashMap<>(shapes);
            Shape[] computed = copy.computeIfAbsent(info, ShapeCheckedHandlerMapping::shapes);
            shapes = copy;
            return computed;
        }

        private static Shape[] shapes(RequestMappingInfo info) {
            if (info.getPatternValues().isEmpty()) {
                return Shape.ANY;
            }
            return info.getPatternValues().stream().map(Shape::of).toArray(Shape[]::new);
        }
    }

    /**
     * What a path must look like to match a pattern: start with its literal part (its segments before the first
     * variable or wildcard), and, where every segment is either literal or one whole variable, have as many segments
     * with the same literal ones ({@code segments}, a variable's as null). A path that passes may still not match.
     */
    record Shape(String prefix, String[] segments) {

        /** Any path: the pattern is tested in full. */
        static final Shape EVERY_PATH = new Shape("", null);

        static final Shape[] ANY = {EVERY_PATH};

        static Shape of(String pattern) {
            if (pattern.isEmpty() || pattern.equals("/")) {
                return EVERY_PATH; // an empty mapping, or the root
            }
            // up to the last separator before the first variable or wildcard, without it: "/files/**" and
            // "/files/{*rest}" match "/files" too
            String prefix = pattern;
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '{' || c == '*' || c == '?') {
                    prefix = pattern.substring(0, Math.max(0, pattern.lastIndexOf('/', i)));
                    break;
                }
            }
            String[] segments = pattern.split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                String segment = segments[i];
                boolean variable = segment.startsWith("{")
                        && segment.endsWith("}")
                        && segment.indexOf('}') == segment.length() - 1
                        && !segment.startsWith("{*");
                if (variable) {
                    segments[i] = null;
                } else if (segment.indexOf('{') >= 0 || segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0) {
                    return new Shape(prefix, null); // a wildcard or a variable inside a segment: the prefix only
                }
            }
            return new Shape(prefix, segments);
        }

        boolean mayMatch(String path, String[] pathSegments) {
            if (!path.startsWith(prefix)) {
                return false;
            }
            if (segments == null || pathSegments == null) {
                return true;
            }
            if (segments.length != pathSegments.length) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                if (segments[i] != null && !segments[i].equals(pathSegments[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The request during one look-up: its path within the application and its segments, its method read once. */
    static final class Lookup extends HttpServletRequestWrapper {

        private final String path;
        private final String[] segments;

        private final String method;

        Lookup(HttpServletRequest request, String path) {
            super(request);
            this.path = path;
            this.segments = segmentsOf(path);
            this.method = request.getMethod();
        }

        /** A path's segments, or null for one ending in a slash (a pattern may match it with an optional slash). */
        static String[] segmentsOf(String path) {
            return path.endsWith("/") ? null : path.split("/", -1);
        }

        @Override
        public String getMethod() {
            return method;
        }

        boolean mayMatch(Shape[] shapes) {
            for (Shape shape : shapes) {
                if (shape.mayMatch(path, segments)) {
                    return true;
                }
            }
            return false;
        }
    }
}
