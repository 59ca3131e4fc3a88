package dev.almanac.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequestMappingHandlerMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * The literal-prefix look-up picks the same controller method as the framework's full match, for every request mapping
 * of the application (so for every one added later): a path made from each pattern, with its variables filled in, with
 * an escaped letter, with a matrix variable and with an unknown tail.
 */
@WithH2
class HandlerLookupTests extends AlmanacIntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mapping;

    @Autowired
    private WebApplicationContext context;

    @Test
    void theApplicationUsesTheLiteralPrefixLookup() {
        assertThat(mapping).isInstanceOf(HandlerLookup.ShapeCheckedHandlerMapping.class);
    }

    @Test
    void everyMappingIsFoundAsTheFrameworkFindsIt() throws Exception {
        // the same mapping as before this look-up: htmx's, which is the framework's with @HxRequest conditions
        RequestMappingHandlerMapping framework = new HtmxRequestMappingHandlerMapping();
        framework.setPatternParser(mapping.getPatternParser());
        context.getAutowireCapableBeanFactory().initializeBean(framework, "frameworkLookup");

        List<String> compared = new ArrayList<>();
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            String method =
                    methods.isEmpty() ? "GET" : methods.iterator().next().name();
            for (String pattern : info.getPatternValues()) {
                String path = pattern.replaceAll("\\{\\*[^}]*}", "a/b")
                        .replaceAll("\\{[^}]*}", "x1")
                        .replace("**", "a/b")
                        .replace("*", "a")
                        .replace("?", "a");
                List<String> variants = new ArrayList<>(
                        List.of(path, path + "/", path + "/unknown", escapeFirstLetter(path), path + ";v=1"));
                int rest = Math.max(pattern.indexOf("/**"), pattern.indexOf("/{*"));
                if (rest >= 0) {
                    variants.add(pattern.substring(0, rest)); // the rest may be empty
                }
                for (String variant : variants) {
                    assertThat(handler(mapping, method, variant))
                            .as(method + " " + variant + " (from " + pattern + ")")
                            .isEqualTo(handler(framework, method, variant));
                    compared.add(variant);
                }
            }
        }
        assertThat(compared).hasSizeGreaterThan(400).contains("/api/admin/scheduler/jobs/x1/run");
    }

    @Test
    void aShapeRefusesOnlyWhatItsPatternCannotMatch() {
        HandlerLookup.Shape run = HandlerLookup.Shape.of("/api/jobs/{id}/run");
        assertThat(mayMatch(run, "/api/jobs/42/run")).isTrue();
        assertThat(mayMatch(run, "/api/jobs/42")).isFalse();
        assertThat(mayMatch(run, "/api/jobs/42/runs")).isFalse();
        assertThat(mayMatch(run, "/api/tokens/42/run")).isFalse();
        assertThat(mayMatch(run, "/api/jobs/42/run/"))
                .as("a trailing slash: left to the full match")
                .isTrue();
        for (String rest : List.of("/files/**", "/files/{*path}")) {
            HandlerLookup.Shape shape = HandlerLookup.Shape.of(rest);
            assertThat(mayMatch(shape, "/files")).as(rest).isTrue();
            assertThat(mayMatch(shape, "/files/a/b")).as(rest).isTrue();
            assertThat(mayMatch(shape, "/other")).as(rest).isFalse();
        }
        HandlerLookup.Shape regex = HandlerLookup.Shape.of("/codes/{code:[a-z]{2}}");
        assertThat(mayMatch(regex, "/codes/de")).isTrue();
        assertThat(mayMatch(HandlerLookup.Shape.of(""), "/anything")).isTrue();
    }

    private static boolean mayMatch(HandlerLookup.Shape shape, String path) {
        return shape.mayMatch(path, HandlerLookup.Lookup.segmentsOf(path));
    }

    /** The handler method found, or the refusal's class (405, 406, 415) when the look-up refuses the request. */
    private static String handler(RequestMappingHandlerMapping mapping, String method, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.addHeader("Accept", "application/json");
        ServletRequestPathUtils.parseAndCache(request);
        try {
            HandlerExecutionChain chain = mapping.getHandler(request);
            return chain == null ? "none" : chain.getHandler().toString();
        } catch (Exception refused) {
            return refused.getClass().getSimpleName();
        }
    }

    private static String escapeFirstLetter(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isLetter(c)) {
                return path.substring(0, i) + "%" + Integer.toHexString(c) + path.substring(i + 1);
            }
        }
        return path;
    }
}
