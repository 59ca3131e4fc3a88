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
        assertThat(mapping).isInstanceOf(HandlerLookup.LiteralPrefixHandlerMapping.class);
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
                for (String variant : List.of(path, path + "/unknown", escapeFirstLetter(path), path + ";v=1")) {
                    assertThat(handler(mapping, method, variant))
                            .as(method + " " + variant + " (from " + pattern + ")")
                            .isEqualTo(handler(framework, method, variant));
                    compared.add(variant);
                }
            }
        }
        assertThat(compared).hasSizeGreaterThan(400).contains("/api/admin/scheduler/jobs/x1/run");
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
